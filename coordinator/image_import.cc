// ImageService::Import: a rootfs tarball becomes a one-layer image.

#include "coordinator/blob_sink.h"
#include "coordinator/build_image_assembler.h"
#include "coordinator/config_apply.h"
#include "coordinator/image_service.h"
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

  image::HistoryEntry history;
  history.created = state.config.created;
  history.created_by = "strata image import";
  history.comment = request.message.empty() ? "Imported from " + request.origin : request.message;
  state.config.history.push_back(history);

  ImageParts parts;
  parts.config = std::move(state.config);
  parts.layers = {{layer->blob_digest, layer->diff_id, layer->blob_size,
                   std::string(image::media_type::kOciLayerGzip), layer->uncompressed_size}};
  parts.created_unix_nanos = now;
  parts.platform = "linux/amd64";
  ASSIGN_OR_RETURN(cache::ImageRecord record,
                   AssembleImage(store_, std::move(parts),
                                 tag.empty() ? std::vector<std::string>{} : std::vector<std::string>{tag}));
  added.Keep();
  return record.id;
}

}  // namespace strata::coordinator
