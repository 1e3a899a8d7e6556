#pragma once

// Internal to worker/: small file-system helpers over POSIX calls. Every
// error is an IOError naming the path and the failed call.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::worker {

// mkdir -p with `mode` for the directories it creates.
Status MakeDirs(const std::string& path, unsigned mode = 0755);

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

// Writes `content` to `path` (created or truncated) with `mode`.
Status WriteFile(const std::string& path, std::string_view content, unsigned mode = 0644);

// Reads the whole file at `path`.
Result<std::string> ReadFile(const std::string& path);

// The mount points of this process's mount namespace under `prefix`
// ("/x/mounts/"), deepest first, with mountinfo's octal escapes ("\040")
// decoded.
std::vector<std::string> MountPointsUnder(const std::string& prefix);

// The names in directory `path`, without "." and "..", in readdir order.
Result<std::vector<std::string>> ListDirectory(const std::string& path);

// `n` random lowercase hex characters (from the kernel's getrandom).
std::string RandomHex(size_t n);

// "<call> <path>: <strerror(errno)>" as an IOError.
Status ErrnoStatus(std::string_view call, const std::string& path);

}  // namespace strata::worker

// Interim, until these helpers move to common/: sandbox/ and snapshot/,
// split out of worker/, still call them unqualified.
namespace strata::sandbox {
using namespace ::strata::worker;
}  // namespace strata::sandbox
namespace strata::snapshot {
using namespace ::strata::worker;
}  // namespace strata::snapshot
