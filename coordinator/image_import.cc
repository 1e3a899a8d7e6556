// ImageService::Import: a rootfs tarball becomes a one-layer image.

#include "coordinator/blob_sink.h"
#include "coordinator/config_apply.h"
#include "coordinator/image_service.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "image/reference.h"
#include "image/tar_import.h"

namespace strata::coordinator {
Result<Digest> ImageService::Import(const ImportRequest& request) {
  // Everything that can be refused is refused before the store is touched.
  std::string tag;
  if (!request.repo_tag.empty()) {
    ASSIGN_OR_RETURN(image::Reference ref, image::ParseReference(request.repo_tag));
    if (!ref.digest().empty()) {
      return Status::InvalidArgument("import: a tag cannot hold a digest: " + request.repo_tag);
    }
    tag = ref.String();
  }
  int64_t now = clock_.NowUnixNanos();
  ConfigState state;
  state.config.architecture = "amd64";
  state.config.os = "linux";
  state.config.created = FormatRfc3339Nano(now);
  TRY(ApplyChanges(request.changes, &state));

  ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> source,
                   image::FileSource::Open(request.source_path));
  NewBlobs added(store_.blobs());
  ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobWriter> writer, store_.blobs().Create());
  BlobWriterSink sink(writer.get());
  Result<image::LayerResult> layer =
      image::ImportTarAsLayer(source.get(), image::Compression::kGzip, &sink);
  if (!layer.ok()) {
    return layer.status().Annotate("import " + (request.origin.empty() ? request.source_path
                                                                       : request.origin));
  }
  TRY(added.Commit(*writer, layer->blob_digest));

  image::ImageConfig& config = state.config;
  config.rootfs.diff_ids = {layer->diff_id};
  image::HistoryEntry history;
  history.created = config.created;
  history.created_by = "strata image import";
  history.comment = request.message.empty() ? "Imported from " + request.origin : request.message;
  config.history.push_back(history);
  std::string config_json = config.ToJson();
  ASSIGN_OR_RETURN(Digest config_digest, added.Put(config_json));

  image::Manifest manifest;
  manifest.media_type = std::string(image::media_type::kOciManifest);
  manifest.config.media_type = std::string(image::media_type::kOciConfig);
  manifest.config.digest = config_digest;
  manifest.config.size = config_json.size();
  image::Descriptor layer_desc;
  layer_desc.media_type = std::string(image::media_type::kOciLayerGzip);
  layer_desc.digest = layer->blob_digest;
  layer_desc.size = layer->blob_size;
  manifest.layers = {layer_desc};
  std::string manifest_json = manifest.ToJson();
  ASSIGN_OR_RETURN(Digest manifest_digest, added.Put(manifest_json));

  cache::ImageRecord record;
  record.id = config_digest;
  record.config_digest = config_digest;
  record.config_media_type = std::string(image::media_type::kOciConfig);
  record.manifest_digest = manifest_digest;
  record.manifest_media_type = std::string(image::media_type::kOciManifest);
  record.layers = {{layer->blob_digest, layer->diff_id, layer->blob_size, layer_desc.media_type}};
  record.created_unix_nanos = now;
  record.total_size = layer->blob_size + config_json.size() + manifest_json.size();
  record.platform = "linux/amd64";
  TRY(store_.PutImage(record, tag.empty() ? std::vector<std::string>{}
                                          : std::vector<std::string>{tag}));
  added.Keep();
  return config_digest;
}

}  // namespace strata::coordinator
