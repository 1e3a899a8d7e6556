#include "image/layer.h"

#include "image/fs_walk.h"
#include "image/layer_sink.h"
#include "image/layer_writer.h"
#include "image/media_types.h"
#include "image/whiteout.h"

namespace strata::image {

LayerSource LayerSource::FromDirectory(std::string dir) {
  LayerSource s;
  s.directory = std::move(dir);
  return s;
}

LayerSource LayerSource::FromEntries(std::vector<LayerEntry> entries) {
  LayerSource s;
  s.entries = std::move(entries);
  return s;
}

std::string_view LayerMediaType(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return media_type::kOciLayerGzip;
    case Compression::kZstd:
      return media_type::kOciLayerZstd;
    case Compression::kNone:
      break;
  }
  return media_type::kOciLayer;
}

Result<LayerResult> WriteLayer(const LayerSource& source, Compression compression, ByteSink* out,
                               const CompressionOptions& options) {
  std::vector<LayerEntry> entries;
  if (!source.directory.empty()) {
    ASSIGN_OR_RETURN(entries, WalkDirectory(source.directory));
  } else {
    entries = source.entries;
  }
  if (source.overlay_whiteouts) entries = ConvertOverlayWhiteouts(std::move(entries));

  LayerSink layer(compression, out, options);
  LayerWriterOptions writer_options;
  writer_options.source_date_epoch = source.source_date_epoch;
  // On failure `layer` is destroyed unclosed: its threads stop and `out` is
  // left open for the caller to discard.
  TRY(WriteTar(std::move(entries), writer_options, &layer));
  TRY(layer.Close());
  return layer.Finish();
}

}  // namespace strata::image
