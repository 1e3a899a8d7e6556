#pragma once

// A rootfs tarball that becomes one layer as it is (`image import`): the
// decompressed tar is hashed (diff_id), compressed and hashed again (blob
// digest) in one streaming pass, while libarchive reads the same bytes to
// check every entry. Nothing is extracted.

#include "common/result.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"
#include "image/compression.h"
#include "image/layer.h"

namespace strata::image {

// Reads a tar (plain, gzip or zstd: detected) from `in` and writes it as a
// layer with `compression` into `out` (closed on success; left open on
// failure for the caller to discard). Fails, naming the entry, on: a stream
// that is not a tar, a truncated or corrupt tar or compressed stream, an
// entry name that is absolute or has a `..` component, an entry written
// through a symlink of the same archive (a tar of a real tree never does
// that; extracting one could write outside the root), a hard link to a path
// that is absolute, climbs out, or names no earlier entry.
Result<LayerResult> ImportTarAsLayer(ByteSource* in, Compression compression, ByteSink* out,
                                     const CompressionOptions& options = {});

}  // namespace strata::image
