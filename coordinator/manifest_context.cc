#include "coordinator/manifest_context.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "common/go_path_match.h"
#include "common/path_clean.h"
#include "coordinator/context_links.h"
#include "dockerfile/dockerignore.h"

namespace strata::coordinator {
namespace {

bool IsBelow(const std::string& path, const std::string& dir) {
  return dir == "." || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                        path[dir.size()] == '/');
}

// The pattern relative to the context root: "." for the root itself.
Result<std::string> CleanSource(const std::string& pattern) {
  if (!pattern.empty() && pattern[0] == '/') {
    std::string clean = CleanPath(pattern);  // "/.." stays at the root
    return clean == "/" ? std::string(".") : clean.substr(1);
  }
  std::string clean = CleanPath(pattern);
  if (clean == ".." || clean.rfind("../", 0) == 0) {
    return Status::InvalidArgument("forbidden path outside the build context: " + pattern);
  }
  return clean;
}

}  // namespace

Result<std::vector<cache::InputEntry>> EntriesFromManifest(const v1::SubmitBuild& request) {
  std::vector<cache::InputEntry> entries;
  entries.reserve(request.context_size());
  for (const v1::ContextEntry& in : request.context()) {
    cache::InputEntry e;
    e.path = CleanPath(in.path());
    while (e.path.rfind("/", 0) == 0) e.path.erase(0, 1);
    if (e.path.empty() || e.path == "." || e.path == ".." || e.path.rfind("../", 0) == 0) {
      return Status::InvalidArgument("context manifest: entry path '" + in.path() +
                                     "' is not inside the build context");
    }
    e.mode = in.mode() & 07777;
    switch (in.type()) {
      case v1::ContextEntry::TYPE_REGULAR: {
        e.type = cache::InputType::kRegular;
        e.size = in.size();
        Result<Digest> digest = Digest::Parse(in.sha256());
        if (!digest.ok()) {
          return Status::InvalidArgument("context manifest: " + e.path + ": sha256 '" +
                                         in.sha256() + "': " + digest.status().message());
        }
        e.content = *digest;
        break;
      }
      case v1::ContextEntry::TYPE_DIRECTORY:
        e.type = cache::InputType::kDirectory;
        break;
      case v1::ContextEntry::TYPE_SYMLINK:
        e.type = cache::InputType::kSymlink;
        e.link_target = in.link_target();
        break;
      default:
        e.type = cache::InputType::kOther;
        break;
    }
    e.xattrs.insert(in.xattrs().begin(), in.xattrs().end());
    if (e.type == cache::InputType::kRegular) e.hardlink_group = in.hardlink_group();
    entries.push_back(std::move(e));
  }
  return entries;
}

v1::ContextEntry ToContextEntry(const cache::InputEntry& e) {
  v1::ContextEntry out;
  out.set_path(e.path);
  out.set_mode(e.mode);
  switch (e.type) {
    case cache::InputType::kRegular:
      out.set_type(v1::ContextEntry::TYPE_REGULAR);
      out.set_size(e.size);
      out.set_sha256(e.content.ToString());
      break;
    case cache::InputType::kDirectory:
      out.set_type(v1::ContextEntry::TYPE_DIRECTORY);
      break;
    case cache::InputType::kSymlink:
      out.set_type(v1::ContextEntry::TYPE_SYMLINK);
      out.set_link_target(e.link_target);
      break;
    case cache::InputType::kOther:
      out.set_type(v1::ContextEntry::TYPE_UNSPECIFIED);
      break;
  }
  out.mutable_xattrs()->insert(e.xattrs.begin(), e.xattrs.end());
  out.set_hardlink_group(e.hardlink_group);
  return out;
}

ManifestContext::ManifestContext(std::vector<cache::InputEntry> entries)
    : entries_(std::move(entries)) {
  std::sort(entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const auto& a, const auto& b) { return a.path == b.path; }),
                 entries_.end());
}

Result<std::vector<cache::InputEntry>> ManifestContext::Select(
    const std::vector<std::string>& patterns, const std::vector<std::string>& excludes) {
  // --exclude patterns are matched as .dockerignore lines are, against the
  // path relative to each source (BuildKit's copy ExcludePatterns).
  std::optional<dockerfile::DockerIgnore> exclude;
  if (!excludes.empty()) {
    Result<dockerfile::DockerIgnore> parsed = dockerfile::DockerIgnore::FromPatterns(excludes);
    if (!parsed.ok()) {
      return Status::InvalidArgument("invalid --exclude pattern: " + parsed.status().message());
    }
    exclude = std::move(*parsed);
  }
  std::set<size_t> chosen;
  for (const std::string& pattern : patterns) {
    ASSIGN_OR_RETURN(std::string source, CleanSource(pattern));
    std::vector<std::string> roots;  // matched paths; everything below them is taken too
    std::vector<size_t> links;       // symlinks the worker follows on the way (BuildKit does)
    if (HasWildcard(source)) {
      // A wildcard matching nothing copies nothing (AllowEmptyWildcard).
      TRY(ValidateGoPattern(source));
      ASSIGN_OR_RETURN(std::string real, FollowPatternLinks(entries_, source, &links));
      for (const cache::InputEntry& e : entries_) {
        ASSIGN_OR_RETURN(bool match, GoPathMatch(real, e.path));
        if (match) roots.push_back(e.path);
      }
    } else {
      roots.push_back(UnescapeGlob(source));
    }
    for (std::string& root : roots) {
      ASSIGN_OR_RETURN(root, FollowContextLinks(entries_, root, /*follow_last=*/true, &links));
    }
    chosen.insert(links.begin(), links.end());
    for (const std::string& root : roots) {
      // The relative path of `e` below `root`, the source itself never excluded.
      auto take = [&](size_t i, std::string_view rel) {
        if (exclude && !rel.empty() && exclude->Excluded(rel)) return;
        chosen.insert(i);
      };
      if (root == ".") {  // the context root exists even when .dockerignore empties it
        for (size_t i = 0; i < entries_.size(); ++i) take(i, entries_[i].path);
        continue;
      }
      bool found = false;
      // Entries are sorted: the root, then everything below it, come in one run
      // starting at the first path >= root.
      auto it = std::lower_bound(entries_.begin(), entries_.end(), root,
                                 [](const auto& e, const std::string& p) { return e.path < p; });
      for (; it != entries_.end(); ++it) {
        bool self = it->path == root;
        if (!self && !IsBelow(it->path, root)) {
          // "a-b" sorts between "a" and "a/x": skip over names that only share the prefix.
          if (it->path.compare(0, root.size(), root) == 0) continue;
          break;
        }
        found = true;
        take(static_cast<size_t>(it - entries_.begin()),
             self ? std::string_view() : std::string_view(it->path).substr(root.size() + 1));
      }
      if (!found) {
        return Status::NotFound(
            "failed to compute cache key: failed to calculate checksum of ref: \"/" + root +
            "\": not found");
      }
    }
  }
  std::vector<cache::InputEntry> out;
  out.reserve(chosen.size());
  for (size_t i : chosen) out.push_back(entries_[i]);
  return out;
}

}  // namespace strata::coordinator
