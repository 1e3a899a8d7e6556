#pragma once

#include <memory>

#include "image/byte_sink.h"
#include "image/compression.h"
#include "image/layer.h"
#include "image/threaded_sink.h"

namespace strata::image {

// The streaming half of making a layer, shared by WriteLayer and
// ImportTarAsLayer: takes the uncompressed tar, writes it compressed as asked
// into `out`, and computes the diff_id (SHA-256 of the tar) and the blob
// digest (SHA-256 of the bytes that reach `out`) in the same pass.
//
// The work is spread over threads so that a large layer uses every core and
// the caller's thread only produces the tar:
//
//   Write -> ThreadedSink -+-> thread: SHA-256 (diff_id)
//                          +-> thread: compress -> ThreadedSink -> thread: SHA-256 (blob) -> out
//
// Uncompressed, the blob is the tar: one thread hashes it once and writes
// `out`. Output bytes and digests are the same as a single-threaded pass.
// Memory stays bounded whatever the layer size: about 10 MiB of 1 MiB chunks
// plus 2.5 MiB behind the compressor, or 4.5 MiB uncompressed.
//
// Close() closes `out`. On failure, or destroyed without Close, `out` is
// left open for the caller to discard. One producer thread; does not own
// `out`, which is written from one pipeline thread at a time.
class LayerSink : public ByteSink {
 public:
  LayerSink(Compression compression, ByteSink* out, const CompressionOptions& options = {});
  ~LayerSink() override;
  LayerSink(const LayerSink&) = delete;
  LayerSink& operator=(const LayerSink&) = delete;

  using ByteSink::Write;
  Status Write(const void* data, size_t size) override;
  Status Close() override;
  // The digests and sizes. REQUIRES: Close() returned OK; called once.
  LayerResult Finish();

 private:
  Compression compression_;
  NullSink discard_;
  HashingSink diff_hash_;
  HashingSink blob_hash_;
  std::unique_ptr<ThreadedSink> blob_pipe_;
  std::unique_ptr<ByteSink> compressor_;
  std::unique_ptr<ThreadedSink> pipe_;  // last: stopped before what it feeds is destroyed
};

}  // namespace strata::image
