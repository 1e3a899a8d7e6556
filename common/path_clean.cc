#include "common/path_clean.h"

namespace strata {
namespace {
constexpr char kSep = '/';
}  // namespace

// A transcription of Go's path.Clean (src/path/path.go): one pass over
// `path` writing into `out`, with `dotdot` marking how far ".." may
// backtrack.
std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == kSep;
  const size_t n = path.size();
  std::string out;
  out.reserve(n);
  size_t r = 0;
  size_t dotdot = 0;  // out.size() below which ".." cannot backtrack
  if (rooted) {
    out.push_back(kSep);
    r = dotdot = 1;
  }
  while (r < n) {
    if (path[r] == kSep) {
      ++r;
    } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == kSep)) {
      ++r;
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == kSep)) {
      r += 2;
      if (out.size() > dotdot) {
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != kSep) --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back(kSep);
        out.append("..");
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back(kSep);
      while (r < n && path[r] != kSep) out.push_back(path[r++]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

std::string CleanRootedPath(std::string_view path) {
  std::string rooted = "/";
  rooted.append(path);
  return CleanPath(rooted);
}

std::optional<std::string> CleanPathInside(std::string_view path) {
  size_t start = path.find_first_not_of(kSep);
  if (start == std::string_view::npos) return std::string();
  std::string clean = CleanPath(path.substr(start));
  if (clean == "..") return std::nullopt;
  if (clean.size() > 2 && clean.compare(0, 3, "../") == 0) return std::nullopt;
  if (clean == ".") return std::string();
  return clean;
}

bool HasDotDotElement(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find(kSep, start);
    if (slash == std::string_view::npos) slash = path.size();
    if (path.substr(start, slash - start) == "..") return true;
    start = slash + 1;
  }
  return false;
}

std::vector<std::string> PathComponents(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find(kSep, start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace strata
