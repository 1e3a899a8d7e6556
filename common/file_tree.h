#pragma once

// Whole-tree operations (rm -rf, cp -a) over POSIX calls, for trees the
// process owns (snapshots, bundles, scratch space). Every error is an IOError
// naming the path and the failed call.

#include <cstdint>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace strata {

// rm -rf: removes `path` and everything below it without following
// symlinks or crossing into other mounts' contents it cannot remove.
// A missing path is OK.
Status RemoveTree(const std::string& path);

// Renames `path` to `trash_path` (same file system) and removes it on a
// detached thread, so the caller does not wait for a large tree to go. A
// process that exits first leaves `trash_path` for its owner's start-up
// cleanup. Falls back to RemoveTree when the rename fails.
Status RemoveTreeInBackground(const std::string& path, const std::string& trash_path);

// cp -a of the tree at `from` into the existing directory `to`: regular
// files, directories, symlinks, device nodes and fifos, with mode, owner and
// mtime preserved. Hard links are copied as separate files. Merges into
// what `to` already holds: existing directories are entered, other entries
// replaced.
Status CopyTree(const std::string& from, const std::string& to);

// The bytes of the tree at `path` as `du --apparent-size -b` counts them:
// the sizes of its regular files and symlinks, a hard-linked file once,
// symlinks not followed. A missing path is NotFound.
Result<uint64_t> TreeBytes(const std::string& path);

}  // namespace strata
