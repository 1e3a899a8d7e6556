#include "coordinator/context_links.h"

#include <algorithm>
#include <deque>

#include "common/go_path_match.h"
#include "common/path_clean.h"

namespace strata::coordinator {
namespace {

constexpr int kMaxLinks = 40;  // as the worker's FollowInRoot

void PushFront(const std::string& path, std::deque<std::string>* queue) {
  std::vector<std::string> parts = PathComponents(path);
  queue->insert(queue->begin(), parts.begin(), parts.end());
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out.empty() ? "." : out;
}

}  // namespace

Result<std::string> FollowContextLinks(const std::vector<cache::InputEntry>& entries,
                                       const std::string& path, bool follow_last,
                                       std::vector<size_t>* links) {
  std::deque<std::string> pending;
  PushFront(path, &pending);
  std::vector<std::string> resolved;
  int hops = 0;
  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    resolved.push_back(std::move(c));
    if (pending.empty() && !follow_last) break;
    std::string here = Join(resolved);
    auto it = std::lower_bound(
        entries.begin(), entries.end(), here,
        [](const cache::InputEntry& e, const std::string& p) { return e.path < p; });
    if (it == entries.end() || it->path != here || it->type != cache::InputType::kSymlink) {
      continue;
    }
    if (++hops > kMaxLinks) {
      return Status::InvalidArgument("too many levels of symlinks resolving \"/" + path +
                                     "\" in the build context");
    }
    links->push_back(static_cast<size_t>(it - entries.begin()));
    resolved.pop_back();
    if (!it->link_target.empty() && it->link_target.front() == '/') resolved.clear();
    PushFront(it->link_target, &pending);
  }
  return Join(resolved);
}

Result<std::string> FollowPatternLinks(const std::vector<cache::InputEntry>& entries,
                                       const std::string& pattern, std::vector<size_t>* links) {
  // The literal directories end at the '/' before the first wildcard component.
  size_t end = 0;
  for (size_t start = 0; start < pattern.size();) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string::npos) break;
    if (HasWildcard(pattern.substr(start, slash - start))) break;
    end = slash;
    start = slash + 1;
  }
  if (end == 0) return pattern;
  ASSIGN_OR_RETURN(std::string dir, FollowContextLinks(entries, pattern.substr(0, end),
                                                       /*follow_last=*/true, links));
  std::string rest = pattern.substr(end + 1);
  return dir == "." ? rest : dir + "/" + rest;
}

}  // namespace strata::coordinator
