#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/byte_sink.h"
#include "image/compression.h"
#include "image/digest.h"
#include "image/layer_entry.h"

namespace strata::image {

// What goes into a layer: a directory tree to walk, or explicit entries.
struct LayerSource {
  std::string directory;            // walked when non-empty
  std::vector<LayerEntry> entries;  // used when directory is empty
  // Convert overlayfs upper-dir markers to OCI whiteouts (ConvertOverlayWhiteouts).
  bool overlay_whiteouts = false;
  // Clamp mtimes to this (SOURCE_DATE_EPOCH, read by the caller).
  std::optional<int64_t> source_date_epoch;

  static LayerSource FromDirectory(std::string dir);
  static LayerSource FromEntries(std::vector<LayerEntry> entries);
};

struct LayerResult {
  Digest diff_id;      // SHA-256 of the uncompressed tar (rootfs.diff_ids)
  Digest blob_digest;  // SHA-256 of the bytes written to the sink
  uint64_t blob_size = 0;
  uint64_t uncompressed_size = 0;
};

// Writes the layer as a reproducible tar, compressed as asked, into `out`
// (which is closed on success), computing both digests in the same pass.
// With compression the compressor runs on a second thread fed through a
// bounded queue, so a large layer uses both cores.
Result<LayerResult> WriteLayer(const LayerSource& source, Compression compression, ByteSink* out,
                               const CompressionOptions& options = {});

// The OCI layer media type for a compression ("...tar", "...tar+gzip", "...tar+zstd").
std::string_view LayerMediaType(Compression compression);

}  // namespace strata::image
