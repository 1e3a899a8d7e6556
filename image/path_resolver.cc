#include "image/path_resolver.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "common/path_clean.h"

namespace strata::image {
namespace {

constexpr int kMaxSymlinkHops = 255;

std::string Join(const std::string& root, const std::vector<std::string>& parts) {
  std::string out = root;
  for (const std::string& p : parts) out += "/" + p;
  return out;
}

void PushComponents(std::string_view path, std::deque<std::string>* front) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view c = path.substr(start, slash - start);
    if (!c.empty() && c != ".") parts.emplace_back(c);
    start = slash + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) front->push_front(*it);
}

Result<std::string> Resolve(const std::string& root, const std::vector<std::string>& components,
                            bool clamp_at_root);

}  // namespace

Result<std::vector<std::string>> SplitLayerPath(std::string_view path, std::string_view what) {
  if (!path.empty() && path.front() == '/') {
    return Status::InvalidArgument("layer " + std::string(what) + " \"" + std::string(path) +
                                   "\" is an absolute path; layer paths must be relative");
  }
  // Any ".." is refused, even "a/../b": it may pass through a symlink the
  // layer below made, so only resolution inside the root can apply it.
  if (HasDotDotElement(path)) {
    return Status::InvalidArgument("layer " + std::string(what) + " \"" + std::string(path) +
                                   "\" contains \"..\"; refusing a path that may leave the root");
  }
  std::string clean = CleanPath(path);
  if (clean == ".") return std::vector<std::string>();
  return PathComponents(clean);
}

Result<std::string> ResolveInRoot(const std::string& root,
                                  const std::vector<std::string>& components) {
  return Resolve(root, components, /*clamp_at_root=*/false);
}

Result<std::string> ResolveInChroot(const std::string& root,
                                    const std::vector<std::string>& components) {
  return Resolve(root, components, /*clamp_at_root=*/true);
}

namespace {

Result<std::string> Resolve(const std::string& root, const std::vector<std::string>& components,
                            bool clamp_at_root) {
  std::deque<std::string> pending(components.begin(), components.end() - 1);
  std::vector<std::string> resolved;
  int hops = 0;
  bool missing = false;  // once a component is missing, the rest cannot be links
  while (!pending.empty()) {
    std::string c = std::move(pending.front());
    pending.pop_front();
    if (c == "..") {
      if (resolved.empty() && clamp_at_root) continue;
      if (resolved.empty()) {
        return Status::Corruption("layer path \"" + Join("", components).substr(1) +
                                  "\" leaves the root through a symlink with \"..\"");
      }
      resolved.pop_back();
      continue;
    }
    resolved.push_back(c);
    if (missing) continue;
    std::string host = Join(root, resolved);
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        missing = true;
        continue;
      }
      return Status::IOError("cannot stat " + host + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
      if (++hops > kMaxSymlinkHops) {
        return Status::Corruption("too many levels of symlinks resolving " + host);
      }
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
      if (n < 0)
        return Status::IOError("cannot read symlink " + host + ": " + std::strerror(errno));
      target.resize(static_cast<size_t>(n));
      resolved.pop_back();
      if (!target.empty() && target.front() == '/') resolved.clear();  // absolute: from root
      PushComponents(target, &pending);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::Corruption("layer path \"" + Join("", components).substr(1) + "\": " + host +
                                " is not a directory");
    }
  }
  resolved.push_back(components.back());
  return Join(root, resolved);
}

}  // namespace

}  // namespace strata::image
