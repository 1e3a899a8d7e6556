#include "cache/records.h"

#include <algorithm>

namespace strata::cache {

std::vector<Digest> ImageRecord::ReferencedBlobs() const {
  std::vector<Digest> out;
  if (!manifest_digest.empty()) out.push_back(manifest_digest);
  if (!config_digest.empty()) out.push_back(config_digest);
  for (const LayerRecord& layer : layers) out.push_back(layer.digest);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Digest> CacheEntry::ReferencedBlobs() const {
  if (layer_digest.empty()) return {};
  return {layer_digest};
}

}  // namespace strata::cache
