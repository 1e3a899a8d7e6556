#include "image/media_types.h"

namespace strata::image::media_type {

bool IsManifest(std::string_view t) { return t == kOciManifest || t == kDockerManifest; }

bool IsIndex(std::string_view t) { return t == kOciIndex || t == kDockerManifestList; }

bool IsConfig(std::string_view t) { return t == kOciConfig || t == kDockerConfig; }

bool IsLayer(std::string_view t) {
  return t == kOciLayer || t == kOciLayerGzip || t == kOciLayerZstd ||
         t == kOciLayerNonDistributable || t == kOciLayerNonDistributableGzip ||
         t == kOciLayerNonDistributableZstd || t == kDockerLayerGzip ||
         t == kDockerLayerForeignGzip;
}

}  // namespace strata::image::media_type
