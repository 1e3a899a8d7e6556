// ImageService::Resolve and ImageService::Commit: the image side of
// `strata container run` and `strata container commit`.

#include <optional>

#include "coordinator/blob_sink.h"
#include "coordinator/build_image_assembler.h"
#include "coordinator/config_apply.h"
#include "coordinator/image_resolver.h"
#include "coordinator/image_service.h"
#include "image/media_types.h"
#include "image/reference.h"
#include "image/tar_import.h"

namespace strata::coordinator {
namespace {

// The container's Config object (as an image config's "config") parsed
// with the image config reader.
Result<image::ContainerConfig> ParseContainerConfig(const std::string& json) {
  std::string wrapped = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"},"config":)" +
                        json + "}";
  Result<image::ImageConfig> parsed = image::ImageConfig::FromJson(wrapped);
  if (!parsed.ok()) {
    return Status::InvalidArgument("commit: the container's config is malformed: " +
                                   parsed.status().message());
  }
  return parsed->config;
}

}  // namespace

Result<ResolvedImageData> ImageService::Resolve(const std::string& name) {
  ASSIGN_OR_RETURN(ResolvedImage found, ResolveImage(store_.metadata(), name));
  ResolvedImageData out;
  out.record = found.record;
  for (cache::LayerRecord& layer : out.record.layers) {
    ASSIGN_OR_RETURN(layer.uncompressed_size, sizer_.LayerSize(layer));
  }
  ASSIGN_OR_RETURN(out.config_json, store_.blobs().ReadAll(found.record.config_digest));
  ASSIGN_OR_RETURN(std::vector<std::string> tags, store_.metadata().TagsOf(found.record.id));
  out.repo_tags = RepoNamesOf(found.record, tags).tags;
  return out;
}

Result<Digest> ImageService::Commit(const CommitRequest& request) {
  // Everything that can be refused is refused before the store is touched.
  std::string tag;
  if (!request.repo_tag.empty()) {
    ASSIGN_OR_RETURN(image::Reference ref, image::ParseReference(request.repo_tag));
    if (!ref.digest().empty()) {
      return Status::InvalidArgument("commit: a tag cannot hold a digest: " + request.repo_tag);
    }
    tag = ref.String();
  }
  ASSIGN_OR_RETURN(ResolvedImage base, ResolveImage(store_.metadata(), request.image));
  ASSIGN_OR_RETURN(image::ImageConfig base_config, ReadConfig(base.record));
  int64_t now = clock_.NowUnixNanos();
  ConfigState state;
  state.config = base_config;
  if (!request.container_config_json.empty()) {
    ASSIGN_OR_RETURN(state.config.config, ParseContainerConfig(request.container_config_json));
  }
  state.config.created = FormatRfc3339Nano(now);
  state.config.author = request.author;
  TRY(ApplyChanges(request.changes, &state));

  // An empty layer_path: the container changed nothing, so no layer is
  // added and the history entry is an empty_layer one.
  NewBlobs added(store_.blobs());
  std::optional<image::LayerResult> layer;
  if (!request.layer_path.empty()) {
    ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> source,
                     image::FileSource::Open(request.layer_path));
    ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobWriter> writer, store_.blobs().Create());
    BlobWriterSink sink(writer.get());
    Result<image::LayerResult> written =
        image::ImportTarAsLayer(source.get(), image::Compression::kGzip, &sink);
    if (!written.ok()) return written.status().Annotate("commit: the container's changes");
    TRY(added.Commit(*writer, written->blob_digest));
    layer = *written;
  }

  image::HistoryEntry history;
  history.created = state.config.created;
  history.created_by = request.created_by;
  history.author = request.author;
  history.comment = request.message;
  history.empty_layer = !layer;
  state.config.history.push_back(history);

  ImageParts parts;
  parts.config = std::move(state.config);
  parts.layers = base.record.layers;
  if (layer) {
    parts.layers.push_back({layer->blob_digest, layer->diff_id, layer->blob_size,
                            std::string(image::media_type::kOciLayerGzip),
                            layer->uncompressed_size});
  }
  parts.created_unix_nanos = now;
  parts.platform = base.record.platform.empty() ? "linux/amd64" : base.record.platform;
  ASSIGN_OR_RETURN(cache::ImageRecord record,
                   AssembleImage(store_, std::move(parts),
                                 tag.empty() ? std::vector<std::string>{} : std::vector<std::string>{tag}));
  added.Keep();
  return record.id;
}

}  // namespace strata::coordinator
