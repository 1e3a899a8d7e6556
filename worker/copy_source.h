#pragma once

// Internal to worker/: finding the files a COPY/ADD source names.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::worker {

// One file or directory a source pattern selected.
struct CopySource {
  std::string host_path;  // where it is, symlinks followed inside the root
  std::string name;       // its base name at the destination (a link's own name)
  std::string path;       // its path below the root ('/'-separated; "" for the root)
};

// Splits `path` (absolute or not; both count from the root) into
// components, dropping "" and "." and applying "..". A ".." that would
// climb above the root is InvalidArgument naming `what` and the path.
Result<std::vector<std::string>> CleanComponents(std::string_view path, std::string_view what);

// Resolves `components` under `root` as a process chrooted there would,
// following every symlink including the last (absolute targets count from
// the root, ".." stops at the root). Returns the host path, which may not
// exist.
Result<std::string> FollowInRoot(const std::string& root, std::vector<std::string> components);

// The sources `pattern` names under `root`, as BuildKit's copy resolves
// them (FollowLinks, AllowWildcard, AllowEmptyWildcard):
//  - a '\\' before '*', '?', '[' or '\\' makes that character literal;
//  - no wildcard: the one path; missing is NotFound
//    `failed to compute cache key: "/<path>": not found`;
//  - a wildcard: the entries below the part before the first wildcard
//    component whose path relative to it matches the rest (GoPathMatch),
//    in name order, a matched directory not searched further; none is an
//    empty list, not an error.
// A pattern climbing out of the root ("../x") is InvalidArgument.
Result<std::vector<CopySource>> ResolveCopySources(const std::string& root,
                                                   const std::string& pattern);

}  // namespace strata::worker
