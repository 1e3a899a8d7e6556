#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "image/byte_source.h"
#include "image/digest.h"

namespace strata::image {

struct ExtractOptions {
  // lchown entries to their numeric uid/gid; only honoured when running as
  // root (elsewhere files belong to the caller).
  bool restore_ownership = true;
};

struct ExtractResult {
  Digest diff_id;  // SHA-256 of the uncompressed tar: compare with rootfs.diff_ids
  uint64_t uncompressed_size = 0;
  uint64_t entries = 0;
};

// Applies a layer (plain, gzip or zstd tar, detected) onto the directory
// `root`, as Docker's layer unpacking does: ".wh.<name>" deletes <name>,
// ".wh..wh..opq" empties its directory of what lower layers put there, an
// existing file is replaced, an existing directory kept and updated.
//
// Never writes outside `root`: absolute names and ".." are refused
// (InvalidArgument); parents are resolved inside `root`, so a symlink
// planted by the layer ("a -> /") is followed as the container would see it
// (to <root>/), and one climbing above root is refused (Corruption);
// hardlink targets are resolved the same way and must exist.
// Stops at the first error, leaving `root` partly updated.
Result<ExtractResult> ExtractLayer(ByteSource* layer, const std::string& root,
                                   const ExtractOptions& options = {});

}  // namespace strata::image
