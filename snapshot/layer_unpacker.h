#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "image/byte_source.h"
#include "snapshot/snapshotter.h"

namespace strata::snapshot {

// A LayerUnpacker that applies a layer blob (plain, gzip or zstd tar) with
// image::ExtractLayer and checks the diff_id the extraction computes
// against the one the layer is stored under: a mismatch is Corruption, so
// a wrong or damaged blob never becomes a snapshot (EnsureLayer discards
// the directory on error).
//
// The snapshot is an overlayfs lower directory, so the layer's OCI
// whiteouts must survive as overlayfs markers (ExtractLayer applies them
// to what is below, which in an empty directory is nothing): a second
// pass over the blob's headers turns ".wh.<name>" into a character device
// 0/0 <name> and ".wh..wh..opq" into trusted.overlay.opaque=y on its
// directory. (One pass would need an overlay mode in ExtractLayer.)
class ExtractingUnpacker : public LayerUnpacker {
 public:
  // Opens a fresh stream of the blob; called once per Unpack.
  using SourceFactory = std::function<Result<std::unique_ptr<image::ByteSource>>()>;

  // `expected_diff_id` is "sha256:<hex>", as in rootfs.diff_ids.
  ExtractingUnpacker(SourceFactory open, std::string expected_diff_id)
      : open_(std::move(open)), expected_diff_id_(std::move(expected_diff_id)) {}

  // Reads the blob from the file at `path`.
  static ExtractingUnpacker FromFile(std::string path, std::string expected_diff_id);

  Status Unpack(const std::string& dir) override;

  // Entries applied by the last successful Unpack (for logs and tests).
  uint64_t entries() const { return entries_; }

 private:
  SourceFactory open_;
  std::string expected_diff_id_;
  uint64_t entries_ = 0;
};

}  // namespace strata::snapshot
