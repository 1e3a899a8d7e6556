#pragma once

// Small file helpers over POSIX calls, for paths the process itself chose
// (state directories, scratch space, test trees). An untrusted path from an
// image or a Dockerfile goes through image/path_resolver.h instead: these
// follow symlinks and "..". Every error is an IOError naming the path and
// the failed call.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata {

// mkdir -p: creates `path` and its missing parents with `mode` (less the
// umask). There is no default mode on purpose: a state directory wants 0700,
// a root file system 0755, and the caller says which. OK when `path` already
// is a directory (or a symlink to one); InvalidArgument for an empty path;
// IOError when `path` exists and is not a directory.
Status MakeDirs(const std::string& path, unsigned mode);

// Writes `content` to `path` (created or truncated) with `mode`.
Status WriteFile(const std::string& path, std::string_view content, unsigned mode = 0644);

// Reads the whole file at `path`.
Result<std::string> ReadFile(const std::string& path);

// The names in directory `path`, without "." and "..", in readdir order.
Result<std::vector<std::string>> ListDirectory(const std::string& path);

}  // namespace strata
