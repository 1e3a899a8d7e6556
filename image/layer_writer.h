#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/result.h"
#include "image/byte_sink.h"
#include "image/layer_entry.h"

namespace strata::image {

struct LayerWriterOptions {
  // When set, mtimes later than this are clamped to it (reproducible builds;
  // the caller reads SOURCE_DATE_EPOCH, the library never reads the env).
  std::optional<int64_t> source_date_epoch;
};

// Writes a layer tar the way Docker does (ustar, with pax headers only where
// ustar cannot say it: long names, big sizes, xattrs as SCHILY.xattr.*).
// Reproducible: numeric uid/gid only (no uname/gname), no atime/ctime,
// whole-second mtimes, no padding past the end-of-archive blocks.
// Entries are written in the order given; sort with PathLess first (see
// WriteTar). Not thread-safe. Does not own `out` and never closes it.
class LayerWriter {
 public:
  LayerWriter(ByteSink* out, LayerWriterOptions options);
  ~LayerWriter();
  LayerWriter(const LayerWriter&) = delete;
  LayerWriter& operator=(const LayerWriter&) = delete;

  // Writes one entry, reading a regular file's content from entry.content
  // or entry.source_path.
  Status Add(const LayerEntry& entry);
  // Writes the end-of-archive marker. REQUIRES: called once, last.
  Status Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sorts `entries` by PathLess and writes them as a complete tar.
Status WriteTar(std::vector<LayerEntry> entries, const LayerWriterOptions& options,
                ByteSink* out);

}  // namespace strata::image
