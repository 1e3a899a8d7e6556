#pragma once

// Internal to coordinator/: the symlinks of a context manifest, followed as
// the worker will follow them in the materialized context.

#include <cstddef>
#include <string>
#include <vector>

#include "cache/context_inputs.h"
#include "common/result.h"

namespace strata::coordinator {

// Resolves the clean relative path `path` ("." for the root) through the
// symlink entries of `entries` (sorted by path), as a process chrooted at
// the context root would: absolute targets count from the root, ".." stops
// at it. With `follow_last` the last component is followed too (a named
// COPY/ADD source), otherwise only its parents. Adds to `links` the index
// of every symlink entry passed through: the worker needs them to resolve
// the path the same way. Returns the resolved path ("." for the root),
// which need not exist. InvalidArgument after 40 links (a loop).
Result<std::string> FollowContextLinks(const std::vector<cache::InputEntry>& entries,
                                       const std::string& path, bool follow_last,
                                       std::vector<size_t>* links);

// The wildcard pattern `pattern` (clean, relative) with its directories
// before the first wildcard component resolved by FollowContextLinks, so
// that it matches the manifest's real paths ("ln/*.txt" with "ln -> src"
// gives "src/*.txt").
Result<std::string> FollowPatternLinks(const std::vector<cache::InputEntry>& entries,
                                       const std::string& pattern, std::vector<size_t>* links);

}  // namespace strata::coordinator
