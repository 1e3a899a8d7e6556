#include "coordinator/build_image_assembler.h"

#include "coordinator/blob_sink.h"
#include "image/manifest.h"
#include "image/media_types.h"

namespace strata::coordinator {

Result<cache::ImageRecord> AssembleImage(cache::Store& store, ImageParts parts,
                                         const std::vector<std::string>& tags) {
  image::ImageConfig& config = parts.config;
  config.rootfs.type = "layers";
  config.rootfs.diff_ids.clear();
  for (const auto& layer : parts.layers) config.rootfs.diff_ids.push_back(layer.diff_id);

  NewBlobs added(store.blobs());
  std::string config_json = config.ToJson();
  ASSIGN_OR_RETURN(Digest config_digest, added.Put(config_json));

  image::Manifest manifest;
  manifest.media_type = std::string(image::media_type::kOciManifest);
  manifest.config.media_type = std::string(image::media_type::kOciConfig);
  manifest.config.digest = config_digest;
  manifest.config.size = config_json.size();
  uint64_t total = config_json.size();
  for (const auto& layer : parts.layers) {
    image::Descriptor desc;
    desc.media_type = layer.media_type;
    desc.digest = layer.digest;
    desc.size = layer.size;
    manifest.layers.push_back(desc);
    total += layer.size;
  }
  std::string manifest_json = manifest.ToJson();
  ASSIGN_OR_RETURN(Digest manifest_digest, added.Put(manifest_json));

  cache::ImageRecord record;
  record.id = config_digest;
  record.config_digest = config_digest;
  record.config_media_type = std::string(image::media_type::kOciConfig);
  record.manifest_digest = manifest_digest;
  record.manifest_media_type = std::string(image::media_type::kOciManifest);
  record.layers = parts.layers;
  record.created_unix_nanos = parts.created_unix_nanos;
  record.total_size = total + manifest_json.size();
  record.platform = parts.platform;
  Status put = store.PutImage(record, tags);
  if (!put.ok()) return put.Annotate("store the built image");
  added.Keep();
  return record;
}

}  // namespace strata::coordinator
