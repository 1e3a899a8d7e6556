#include "sandbox/root_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "image/path_resolver.h"
#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/path_clean.h"

namespace strata::sandbox {
namespace {

struct timespec Seconds(int64_t s) {
  return timespec{static_cast<time_t>(s), 0};
}

}  // namespace

std::vector<std::string> ContainerPathComponents(std::string_view path) {
  return PathComponents(CleanRootedPath(path));  // "/.." is "/" in the container
}

RootWriter::RootWriter(std::string rootfs, WriteRules rules)
    : rules_(std::move(rules)),
      rootfs_(std::move(rootfs)),
      fixed_time_(Seconds(rules_.source_date_epoch.value_or(0))) {}

Result<std::string> RootWriter::EnsureDir(const std::vector<std::string>& comps,
                                          const struct stat* meta) {
  std::string host = rootfs_;
  if (!comps.empty()) {
    std::vector<std::string> probe = comps;
    probe.push_back("x");
    ASSIGN_OR_RETURN(host, image::ResolveInRoot(rootfs_, probe));
    host.resize(host.size() - 2);
  }
  RememberTimes(rootfs_);
  std::string path = rootfs_;
  for (std::string_view rest = std::string_view(host).substr(rootfs_.size()); !rest.empty();) {
    size_t next = rest.find('/', 1);
    path += std::string(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
    TRY(EnsureOneDir(path, rest.empty() ? meta : nullptr));
  }
  return host;
}

Status RootWriter::CopyEntry(const std::string& src, const std::string& dst) {
  struct stat st;
  if (::lstat(src.c_str(), &st) != 0) return ErrnoStatus("lstat", src);
  struct stat existing;
  bool exists = ::lstat(dst.c_str(), &existing) == 0;
  if (S_ISDIR(st.st_mode)) {
    if (exists && !S_ISDIR(existing.st_mode)) {
      TRY(RemoveTree(dst));
      ForgetCopiesAt(dst);
      exists = false;
    }
    if (!exists && ::mkdir(dst.c_str(), 0700) != 0) return ErrnoStatus("mkdir", dst);
    TRY(CopyChildren(src, dst));
    TRY(ApplyMeta(dst, st));
    return CopyXattrs(src, dst);
  }
  if (exists) {
    if (S_ISDIR(existing.st_mode)) {
      return Status::InvalidArgument("cannot copy " + src + ": the destination " +
                                     dst.substr(rootfs_.size()) +
                                     " is a directory (end the destination with '/' to copy "
                                     "into it)");
    }
    if (::unlink(dst.c_str()) != 0) return ErrnoStatus("unlink", dst);
    ForgetCopiesAt(dst);
  }
  // Hard links among the sources of one copy stay hard links (BuildKit's
  // copy keeps them): the later names link to the first one's copy.
  std::pair<dev_t, ino_t> source_inode{st.st_dev, st.st_ino};
  if (st.st_nlink > 1) {
    auto it = linked_.find(source_inode);
    if (it != linked_.end()) {
      if (::link(it->second.c_str(), dst.c_str()) != 0) return ErrnoStatus("link", dst);
      return Status::OK();
    }
  }
  if (S_ISREG(st.st_mode)) {
    TRY(CopyFileContent(src, dst));
  } else if (S_ISLNK(st.st_mode)) {
    ASSIGN_OR_RETURN(std::string target, ReadLink(src));
    if (::symlink(target.c_str(), dst.c_str()) != 0) return ErrnoStatus("symlink", dst);
  } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    if (::mknod(dst.c_str(), st.st_mode & S_IFMT, st.st_rdev) != 0) {
      return ErrnoStatus("mknod", dst);
    }
  } else {
    return Status::OK();  // sockets are skipped, as Docker does
  }
  TRY(ApplyMeta(dst, st));
  TRY(CopyXattrs(src, dst));
  if (st.st_nlink > 1) linked_[source_inode] = dst;
  return Status::OK();
}

Status RootWriter::CopyChildren(const std::string& src, const std::string& dst) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(src));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) TRY(CopyEntry(src + "/" + name, dst + "/" + name));
  return Status::OK();
}

Status RootWriter::WriteNewFile(const std::string& name, const std::string& content,
                                const std::string& dst) {
  struct stat existing;
  if (::lstat(dst.c_str(), &existing) == 0) {
    if (S_ISDIR(existing.st_mode)) {
      return Status::InvalidArgument("cannot write <<" + name + ": " + dst.substr(rootfs_.size()) +
                                     " is a directory");
    }
    if (::unlink(dst.c_str()) != 0) return ErrnoStatus("unlink", dst);
    ForgetCopiesAt(dst);
  }
  TRY(WriteFile(dst, content, 0644));
  struct stat meta {};
  meta.st_mode = S_IFREG | 0644;
  meta.st_mtim = fixed_time_;
  return ApplyMeta(dst, meta);
}

Status RootWriter::SettleTimes() {
  for (const Times& t : created_) {
    struct timespec ts[2] = {t.mtime, t.mtime};
    if (::utimensat(AT_FDCWD, t.path.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus("utimensat", t.path);
    }
  }
  for (const Times& t : existing_) {
    struct stat now;
    if (::lstat(t.path.c_str(), &now) != 0) continue;
    if (now.st_mtim.tv_sec == t.mtime.tv_sec && now.st_mtim.tv_nsec == t.mtime.tv_nsec) continue;
    struct timespec ts[2] = {t.atime, t.mtime};
    if (::utimensat(AT_FDCWD, t.path.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus("utimensat", t.path);
    }
  }
  return Status::OK();
}

Status RootWriter::EnsureOneDir(const std::string& path, const struct stat* meta) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("cannot copy to " + path.substr(rootfs_.size()) +
                                     ": it exists and is not a directory");
    }
    RememberTimes(path);
    return Status::OK();
  }
  if (errno != ENOENT) return ErrnoStatus("lstat", path);
  if (::mkdir(path.c_str(), 0755) != 0) return ErrnoStatus("mkdir", path);
  struct stat m {};
  m.st_mode = S_IFDIR | 0755;
  if (meta != nullptr) m = *meta;
  uid_t uid = rules_.owner ? rules_.owner->first : 0;
  gid_t gid = rules_.owner ? rules_.owner->second : 0;
  if (::lchown(path.c_str(), uid, gid) != 0) return ErrnoStatus("lchown", path);
  uint32_t mode = rules_.chmod && meta != nullptr ? *rules_.chmod : (m.st_mode & 07777);
  if (::chmod(path.c_str(), mode) != 0) return ErrnoStatus("chmod", path);
  created_.push_back({path, {}, meta != nullptr ? meta->st_mtim : fixed_time_});
  return Status::OK();
}

void RootWriter::RememberTimes(const std::string& path) {
  for (const Times& t : existing_) {
    if (t.path == path) return;
  }
  for (const Times& t : created_) {
    if (t.path == path) return;
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) existing_.push_back({path, st.st_atim, st.st_mtim});
}

Status RootWriter::CopyFileContent(const std::string& src, const std::string& dst) {
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ErrnoStatus("open", src);
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    Status s = ErrnoStatus("create", dst);
    ::close(in);
    return s;
  }
  Status status = Status::OK();
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus("read", src);
      break;
    }
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        status = ErrnoStatus("write", dst);
        break;
      }
      off += w;
    }
    if (!status.ok()) break;
  }
  ::close(in);
  if (::close(out) != 0 && status.ok()) status = ErrnoStatus("close", dst);
  return status;
}

Result<std::string> RootWriter::ReadLink(const std::string& path) {
  std::string target(4096, '\0');
  ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
  if (n < 0) return ErrnoStatus("readlink", path);
  target.resize(static_cast<size_t>(n));
  return target;
}

// chown before chmod: chown clears setuid bits.
Status RootWriter::ApplyMeta(const std::string& dst, const struct stat& src) {
  uid_t uid = rules_.owner ? rules_.owner->first : (rules_.preserve_owner ? src.st_uid : 0);
  gid_t gid = rules_.owner ? rules_.owner->second : (rules_.preserve_owner ? src.st_gid : 0);
  if (::lchown(dst.c_str(), uid, gid) != 0) return ErrnoStatus("lchown", dst);
  if (!S_ISLNK(src.st_mode)) {
    uint32_t mode = rules_.chmod ? *rules_.chmod : (src.st_mode & 07777);
    if (::chmod(dst.c_str(), mode) != 0) return ErrnoStatus("chmod", dst);
  }
  struct timespec ts[2] = {src.st_mtim, src.st_mtim};
  if (::utimensat(AT_FDCWD, dst.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoStatus("utimensat", dst);
  }
  return Status::OK();
}

void RootWriter::ForgetCopiesAt(const std::string& dst) {
  std::erase_if(linked_, [&](const auto& kv) {
    return kv.second == dst || kv.second.rfind(dst + "/", 0) == 0;
  });
}

// After the chown, which drops security.capability.
Status RootWriter::CopyXattrs(const std::string& src, const std::string& dst) {
  ssize_t len = ::llistxattr(src.c_str(), nullptr, 0);
  if (len < 0 && (errno == ENOTSUP || errno == ENODATA)) return Status::OK();
  if (len < 0) return ErrnoStatus("llistxattr", src);
  if (len == 0) return Status::OK();
  std::string names(static_cast<size_t>(len), '\0');
  len = ::llistxattr(src.c_str(), names.data(), names.size());
  if (len < 0) return ErrnoStatus("llistxattr", src);
  names.resize(static_cast<size_t>(len));
  for (size_t at = 0; at < names.size();) {
    std::string name = names.c_str() + at;
    at += name.size() + 1;
    if (name.empty() || name.rfind("trusted.overlay.", 0) == 0) continue;
    ssize_t size = ::lgetxattr(src.c_str(), name.c_str(), nullptr, 0);
    if (size < 0) return ErrnoStatus("lgetxattr " + name, src);
    std::string value(static_cast<size_t>(size), '\0');
    size = ::lgetxattr(src.c_str(), name.c_str(), value.data(), value.size());
    if (size < 0) return ErrnoStatus("lgetxattr " + name, src);
    value.resize(static_cast<size_t>(size));
    if (::lsetxattr(dst.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
      // user.* on a symlink cannot exist; a file system without xattrs has none.
      if (errno == ENOTSUP || errno == EPERM) continue;
      return ErrnoStatus("lsetxattr " + name, dst);
    }
  }
  return Status::OK();
}

Status MakeDirInRoot(const std::string& rootfs, const std::string& dir, uid_t uid, gid_t gid,
                     std::optional<int64_t> source_date_epoch) {
  WriteRules rules;
  rules.owner = std::make_pair(uid, gid);
  rules.source_date_epoch = source_date_epoch;
  RootWriter writer(rootfs, rules);
  TRY(writer.EnsureDir(ContainerPathComponents(dir)).status());
  return writer.SettleTimes();
}

}  // namespace strata::sandbox
