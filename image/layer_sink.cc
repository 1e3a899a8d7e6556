#include "image/layer_sink.h"

namespace strata::image {
namespace {

// The hashers take the tar in pieces small enough to be handed over while
// still in cache; the compressor takes whole 1 MiB chunks, as it always has
// (ISA-L's output depends on how its input is cut, so this keeps the bytes).
// Uncompressed, the chunks themselves are that small: fewer fresh pages to
// fault in per layer, and the tar thread measurably cheaper than with 1 MiB.
constexpr size_t kHashPieceSize = 256 << 10;
constexpr size_t kHashMaxPieces = 16;

// What the compressor writes in one go (ISA-L and zstd use 128-256 KiB
// buffers); the compressed stream is small, so its queue can be short.
constexpr size_t kBlobChunkSize = 256 << 10;
constexpr size_t kBlobMaxChunks = 8;

}  // namespace

LayerSink::LayerSink(Compression compression, ByteSink* out, const CompressionOptions& options)
    : compression_(compression), diff_hash_(&discard_), blob_hash_(out) {
  if (compression == Compression::kNone) {
    // The blob is the tar: hash once, on the thread that writes `out`.
    pipe_ = std::make_unique<ThreadedSink>(&blob_hash_, kHashPieceSize, kHashMaxPieces);
    return;
  }
  blob_pipe_ = std::make_unique<ThreadedSink>(&blob_hash_, kBlobChunkSize, kBlobMaxChunks);
  compressor_ = NewCompressingSink(compression, blob_pipe_.get(), options);
  pipe_ = std::make_unique<ThreadedSink>(
      std::vector<ThreadedSink::Downstream>{{&diff_hash_, kHashPieceSize}, {compressor_.get(), 0}});
}

LayerSink::~LayerSink() = default;

Status LayerSink::Write(const void* data, size_t size) { return pipe_->Write(data, size); }

Status LayerSink::Close() { return pipe_->Close(); }

LayerResult LayerSink::Finish() {
  LayerResult result;
  result.blob_size = blob_hash_.size();
  result.blob_digest = blob_hash_.Finish();
  if (compression_ == Compression::kNone) {
    result.uncompressed_size = result.blob_size;
    result.diff_id = result.blob_digest;
  } else {
    result.uncompressed_size = diff_hash_.size();
    result.diff_id = diff_hash_.Finish();
  }
  return result;
}

}  // namespace strata::image
