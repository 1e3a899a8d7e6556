#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/result.h"
#include "image/byte_source.h"
#include "image/digest.h"

namespace strata::image {

struct ExtractOptions {
  // lchown entries to their numeric uid/gid; only honoured when running as
  // root (elsewhere files belong to the caller).
  bool restore_ownership = true;
  // ADD of a local archive (see ExtractArchive) rather than a layer.
  bool as_archive = false;
  // ADD --chown: every extracted entry gets this owner instead of the
  // tar's (as root only, like restore_ownership).
  std::optional<std::pair<uint32_t, uint32_t>> owner;
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

// Extracts a local tar archive (plain, gzip or zstd) into the directory
// `root` as `ADD archive.tar /dir` does (BuildKit's unpack): as if chrooted
// at `root`. An absolute entry name counts from `root`; a symlink met on
// the way, absolute or with "..", resolves inside `root` (a "link -> .."
// at the top leads back to `root`, so "link/x" lands at <root>/x). An
// entry name whose own ".." climbs above `root` ("../x"), or a hardlink to
// such a path, is refused (InvalidArgument). ".wh." files are ordinary
// files here, not whiteouts.
Result<ExtractResult> ExtractArchive(ByteSource* archive, const std::string& root,
                                     ExtractOptions options = {});

}  // namespace strata::image
