#include "image/fs_walk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

namespace strata::image {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status ReadXattrs(const std::string& path, std::map<std::string, std::string>* out) {
  ssize_t len = ::llistxattr(path.c_str(), nullptr, 0);
  if (len < 0) {
    if (errno == ENOTSUP || errno == ENODATA) return Status::OK();
    return Errno("cannot list xattrs of", path);
  }
  std::string names(static_cast<size_t>(len), '\0');
  len = ::llistxattr(path.c_str(), names.data(), names.size());
  if (len < 0) return Errno("cannot list xattrs of", path);
  names.resize(static_cast<size_t>(len));
  for (size_t pos = 0; pos < names.size();) {
    std::string name = names.c_str() + pos;
    pos += name.size() + 1;
    if (name.empty()) continue;
    ssize_t vlen = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (vlen < 0) {
      if (errno == ENODATA) continue;
      return Errno("cannot read xattr " + name + " of", path);
    }
    std::string value(static_cast<size_t>(vlen), '\0');
    vlen = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (vlen < 0) return Errno("cannot read xattr " + name + " of", path);
    value.resize(static_cast<size_t>(vlen));
    (*out)[name] = std::move(value);
  }
  return Status::OK();
}

struct Walked {
  LayerEntry entry;
  dev_t dev = 0;
  ino_t ino = 0;
  bool multi_link = false;
};

Status Walk(const std::string& root, const std::string& rel, std::vector<Walked>* out) {
  std::string dir_path = rel.empty() ? root : root + "/" + rel;
  DIR* dir = ::opendir(dir_path.c_str());
  if (dir == nullptr) return Errno("cannot open directory", dir_path);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int read_errno = errno;
  ::closedir(dir);
  if (read_errno != 0) {
    errno = read_errno;
    return Errno("cannot read directory", dir_path);
  }
  for (const std::string& name : names) {
    std::string child_rel = rel.empty() ? name : rel + "/" + name;
    std::string host = root + "/" + child_rel;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) return Errno("cannot stat", host);
    if (S_ISSOCK(st.st_mode)) continue;
    Walked w;
    w.entry.path = child_rel;
    TRY(StatEntry(host, &w.entry));
    w.dev = st.st_dev;
    w.ino = st.st_ino;
    // overlayfs may make every whiteout (char 0/0) of an upper dir a link to
    // one shared inode: whiteouts are never hard links of each other.
    bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
    w.multi_link = !S_ISDIR(st.st_mode) && !whiteout && st.st_nlink > 1;
    bool is_dir = S_ISDIR(st.st_mode);
    out->push_back(std::move(w));
    if (is_dir) TRY(Walk(root, child_rel, out));
  }
  return Status::OK();
}

}  // namespace

Status StatEntry(const std::string& host_path, LayerEntry* e) {
  struct stat st;
  if (::lstat(host_path.c_str(), &st) != 0) return Errno("cannot stat", host_path);
  e->mode = st.st_mode & 07777;
  e->uid = st.st_uid;
  e->gid = st.st_gid;
  e->mtime = st.st_mtim.tv_sec;
  e->size = 0;
  if (S_ISREG(st.st_mode)) {
    e->type = EntryType::kRegular;
    e->size = static_cast<uint64_t>(st.st_size);
    e->source_path = host_path;
  } else if (S_ISDIR(st.st_mode)) {
    e->type = EntryType::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    e->type = EntryType::kSymlink;
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlink(host_path.c_str(), target.data(), target.size());
    if (n < 0) return Errno("cannot read symlink", host_path);
    target.resize(static_cast<size_t>(n));
    e->link_target = std::move(target);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    e->type = S_ISCHR(st.st_mode) ? EntryType::kCharDevice : EntryType::kBlockDevice;
    e->dev_major = major(st.st_rdev);
    e->dev_minor = minor(st.st_rdev);
  } else if (S_ISFIFO(st.st_mode)) {
    e->type = EntryType::kFifo;
  } else {
    return Status::InvalidArgument("cannot put " + host_path + " in a layer: unsupported file type");
  }
  return ReadXattrs(host_path, &e->xattrs);
}

Result<std::vector<LayerEntry>> WalkDirectory(const std::string& root) {
  std::vector<Walked> walked;
  TRY(Walk(root, "", &walked));
  std::sort(walked.begin(), walked.end(),
            [](const Walked& a, const Walked& b) { return PathLess(a.entry.path, b.entry.path); });
  std::map<std::pair<dev_t, ino_t>, std::string> first_path;
  std::vector<LayerEntry> entries;
  entries.reserve(walked.size());
  for (Walked& w : walked) {
    if (w.multi_link) {
      auto [it, inserted] = first_path.emplace(std::make_pair(w.dev, w.ino), w.entry.path);
      if (!inserted) {
        w.entry.type = EntryType::kHardlink;
        w.entry.link_target = it->second;
        w.entry.size = 0;
        w.entry.source_path.clear();
      }
    }
    entries.push_back(std::move(w.entry));
  }
  return entries;
}

}  // namespace strata::image
