#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "image/byte_source.h"
#include "image/compression.h"
#include "image/digest.h"
#include "image/layer_entry.h"

namespace strata::image {

// Reads a layer tar (plain, gzip or zstd, detected) entry by entry, hashing
// the uncompressed bytes so the diff_id is known at the end. Entry paths are
// given as stored, less a leading "./" and a trailing "/"; they are NOT
// sanitised (see ExtractLayer). Not thread-safe. Does not own `in`.
class LayerReader {
 public:
  explicit LayerReader(ByteSource* in);
  ~LayerReader();
  LayerReader(const LayerReader&) = delete;
  LayerReader& operator=(const LayerReader&) = delete;

  // The next entry's header (content and source_path stay empty); false
  // at the end of the archive. Errors are Corruption.
  Result<bool> Next(LayerEntry* entry);
  // Reads the current regular entry's data; 0 at its end.
  Result<size_t> ReadData(void* buffer, size_t size);

  // After Next returned false: SHA-256 and size of the whole uncompressed
  // stream, including padding after the end-of-archive blocks.
  Digest diff_id() const { return diff_id_; }
  uint64_t uncompressed_size() const { return uncompressed_size_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Digest diff_id_;
  uint64_t uncompressed_size_ = 0;
};

// Reads every entry with its content inline (tests, small layers).
Result<std::vector<LayerEntry>> ReadLayerEntries(ByteSource* in);

}  // namespace strata::image
