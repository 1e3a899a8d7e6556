#include "worker/copy_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "common/errno_status.h"
#include "common/file_util.h"
#include "common/go_path_match.h"
#include "common/path_clean.h"
#include "image/path_resolver.h"

namespace strata::worker {
namespace {

constexpr int kMaxSymlinkHops = 40;

std::string JoinComponents(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

// Clean with ".." stopping at the root (how a chrooted process sees it).
std::vector<std::string> CleanClamped(const std::vector<std::string>& parts) {
  return PathComponents(CleanRootedPath(JoinComponents(parts)));
}

Result<std::vector<std::string>> ListSorted(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dir));
  std::sort(names.begin(), names.end());
  return names;
}

// filepath.Walk below `base` (not following links), collecting matches of
// `pattern` against paths relative to `base`.
Status WalkMatches(const std::string& root, const std::string& base_host, const std::string& rel,
                   const std::string& pattern, size_t depth_left, std::vector<CopySource>* out) {
  ASSIGN_OR_RETURN(std::vector<std::string> names,
                   ListSorted(rel.empty() ? base_host : base_host + "/" + rel));
  for (const std::string& name : names) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    std::string host = base_host + "/" + child;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) return ErrnoStatus("lstat", host);
    ASSIGN_OR_RETURN(bool matched, GoPathMatch(pattern, child));
    if (matched) {
      // A matched symlink is followed, as BuildKit does for every source.
      std::string rel_to_root = host.substr(root.size());
      ASSIGN_OR_RETURN(std::string followed, FollowInRoot(root, PathComponents(rel_to_root)));
      out->push_back(CopySource{followed, name, host.substr(root.size() + 1)});
      continue;
    }
    // '*' never matches '/', so nothing deeper than the pattern can match.
    if (S_ISDIR(st.st_mode) && depth_left > 1) {
      TRY(WalkMatches(root, base_host, child, pattern, depth_left - 1, out));
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<std::string>> CleanComponents(std::string_view path, std::string_view what) {
  std::optional<std::string> clean = CleanPathInside(path);
  if (!clean) {
    return Status::InvalidArgument(std::string(what) + " \"" + std::string(path) +
                                   "\" is outside the build context: a source must be a path "
                                   "inside the context (or inside the --from stage)");
  }
  return PathComponents(*clean);
}

Result<std::string> FollowInRoot(const std::string& root, std::vector<std::string> components) {
  components = CleanClamped(components);
  for (int hops = 0; hops < kMaxSymlinkHops; ++hops) {
    if (components.empty()) return root;
    ASSIGN_OR_RETURN(std::string host, image::ResolveInRoot(root, components));
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return host;
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoStatus("readlink", host);
    target.resize(static_cast<size_t>(n));
    // The link's parent, as a path relative to root (already resolved).
    std::vector<std::string> next = PathComponents(host.substr(root.size()));
    next.pop_back();
    if (!target.empty() && target.front() == '/') next.clear();
    for (std::string& c : PathComponents(target)) next.push_back(std::move(c));
    components = CleanClamped(next);
  }
  return Status::InvalidArgument("too many levels of symlinks resolving \"/" +
                                 JoinComponents(components) + "\" in " + root);
}

Result<std::vector<CopySource>> ResolveCopySources(const std::string& root,
                                                   const std::string& pattern) {
  ASSIGN_OR_RETURN(std::vector<std::string> parts, CleanComponents(pattern, "source"));
  size_t first_wild = parts.size();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (HasWildcard(parts[i])) {
      first_wild = i;
      break;
    }
  }
  // Before the first wildcard, "\\?" is a literal '?' (BuildKit's containsWildcards).
  for (size_t i = 0; i < first_wild; ++i) parts[i] = UnescapeGlob(parts[i]);
  std::vector<CopySource> out;
  if (first_wild == parts.size()) {
    ASSIGN_OR_RETURN(std::string host, FollowInRoot(root, parts));
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound("failed to compute cache key: \"/" + JoinComponents(parts) +
                                "\": not found (COPY/ADD source \"" + pattern +
                                "\"; check the path and .dockerignore)");
      }
      return ErrnoStatus("lstat", host);
    }
    out.push_back(CopySource{host, parts.empty() ? "" : parts.back(), JoinComponents(parts)});
    return out;
  }
  std::vector<std::string> prefix(parts.begin(), parts.begin() + first_wild);
  std::vector<std::string> rest(parts.begin() + first_wild, parts.end());
  // Reject a malformed pattern even when there is nothing to match.
  TRY(ValidateGoPattern(JoinComponents(rest)));
  ASSIGN_OR_RETURN(std::string base, FollowInRoot(root, prefix));
  struct stat st;
  if (::stat(base.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return out;
  TRY(WalkMatches(root, base, "", JoinComponents(rest), rest.size(), &out));
  return out;
}

}  // namespace strata::worker
