#include "image/layer.h"

#include "image/fs_walk.h"
#include "image/layer_writer.h"
#include "image/media_types.h"
#include "image/threaded_sink.h"
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

  // tar -> hash(diff_id) -> [queue -> thread: compress -> hash(blob)] -> out
  // Uncompressed, the blob is the tar: hash it once.
  HashingSink blob_hash(out);
  std::unique_ptr<ByteSink> compressor;
  std::unique_ptr<ThreadedSink> pipe;
  ByteSink* tar_out = compression == Compression::kNone ? out : &blob_hash;
  if (compression != Compression::kNone) {
    compressor = NewCompressingSink(compression, &blob_hash, options);
    pipe = std::make_unique<ThreadedSink>(compressor.get());
    tar_out = pipe.get();
  }
  HashingSink diff_hash(tar_out);
  LayerWriterOptions writer_options;
  writer_options.source_date_epoch = source.source_date_epoch;
  Status written = WriteTar(std::move(entries), writer_options, &diff_hash);
  // On failure `pipe` is destroyed unclosed: its thread stops and `out` is
  // left open for the caller to discard.
  if (!written.ok()) return written;
  TRY(diff_hash.Close());
  LayerResult result;
  result.uncompressed_size = diff_hash.size();
  result.diff_id = diff_hash.Finish();
  if (compression == Compression::kNone) {
    result.blob_size = result.uncompressed_size;
    result.blob_digest = result.diff_id;
  } else {
    result.blob_size = blob_hash.size();
    result.blob_digest = blob_hash.Finish();
  }
  return result;
}

}  // namespace strata::image
