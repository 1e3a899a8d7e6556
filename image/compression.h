#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"

namespace strata::image {

enum class Compression { kNone, kGzip, kZstd };

std::string_view CompressionName(Compression c);  // "none", "gzip", "zstd"

struct CompressionOptions {
  int gzip_level = 1;  // ISA-L igzip levels 0-3; 1 is its fast default
  int zstd_level = 3;  // zstd's (and BuildKit's) default
  // zstd worker threads inside the compressor; 0 compresses on the calling
  // thread. Output bytes depend on this setting, so keep it fixed.
  int zstd_workers = 0;
};

// A sink that compresses what it is given into `out`; Close() writes the
// trailer and closes `out`. Gzip output (ISA-L igzip) has a fixed 10-byte
// header without name or mtime, so it is reproducible. Does not own `out`.
std::unique_ptr<ByteSink> NewCompressingSink(Compression c, ByteSink* out,
                                             const CompressionOptions& options = {});

// Guesses the compression from the first bytes of a stream (gzip 1f 8b,
// zstd 28 b5 2f fd); anything else is kNone.
Compression DetectCompression(std::string_view head);

// A source that yields the decompressed bytes of `in`, detecting gzip
// (ISA-L inflate, multi-member) or zstd by magic; other data passes
// through. Errors are Corruption and say which format failed. Does not own `in`.
std::unique_ptr<ByteSource> NewDecompressingSource(ByteSource* in);

// The same decompression driven by the compressed side: a sink that takes
// the compressed bytes as they arrive (a download) and writes the
// decompressed ones to `out`. Close() reports a stream cut short and closes
// `out`. Does not own `out`.
std::unique_ptr<ByteSink> NewDecompressingSink(ByteSink* out);

}  // namespace strata::image
