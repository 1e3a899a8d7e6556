#pragma once

// The one lexical path cleaner (Go's path.Clean) and the small checks built
// on it. Lexical only: no file system is consulted, so a symlink's ".." is
// not resolved here (image/path_resolver.h does that inside a root).
// Callers with other rules (refusing "..", clamping at a root) are thin
// wrappers over these, each saying why.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// Go's path.Clean (and filepath.Clean on '/'-separated paths): the
// shortest path lexically equal to `path`. In order, until nothing changes:
//   1. runs of '/' become one '/';
//   2. each "." element goes;
//   3. each ".." element goes with the non-".." element before it;
//   4. a ".." right after the root goes ("/.." is "/").
// A trailing '/' goes (except for "/" itself); "" and a path that cleans to
// nothing become ".". A relative path keeps the ".." it cannot resolve:
//   ""  -> "."        "/" -> "/"        "//a//b/" -> "/a/b"
//   "./a" -> "a"      "a/../.." -> ".."  "/../a" -> "/a"
std::string CleanPath(std::string_view path);

// `path` cleaned as seen from a root it cannot leave, the way a chrooted
// process or Docker's WORKDIR sees it: always absolute, ".." stops at "/".
// CleanPath("/" + path): "a/../../b" -> "/b", "" -> "/".
std::string CleanRootedPath(std::string_view path);

// `path` cleaned relative to the directory it is read from, for names in a
// build context, a tar or a layer: leading '/'s count from that directory,
// "" means the directory itself. nullopt when a ".." climbs above it
// ("a/../../b", "/../x"). "./a//b/" -> "a/b", "a/.." -> "".
std::optional<std::string> CleanPathInside(std::string_view path);

// Whether one of the '/'-separated elements of `path` is exactly "..", for
// names that must not carry one at all (entries of a layer or an image
// archive, context entries), whatever it would resolve to.
bool HasDotDotElement(std::string_view path);

// The non-empty '/'-separated components of `path`, in order ("." and ".."
// kept as they are: callers decide how they resolve).
std::vector<std::string> PathComponents(std::string_view path);

}  // namespace strata
