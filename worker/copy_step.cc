#include "worker/copy_step.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "image/byte_source.h"
#include "image/compression.h"
#include "image/layer_extract.h"
#include "image/path_resolver.h"
#include "worker/copy_source.h"
#include "worker/user_resolver.h"

namespace strata::worker {
namespace {

std::vector<std::string> SplitClamped(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view c = path.substr(start, slash - start);
    start = slash + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!out.empty()) out.pop_back();  // "/.." is "/" in the container
      continue;
    }
    out.emplace_back(c);
  }
  return out;
}

struct timespec Seconds(int64_t s) {
  return timespec{static_cast<time_t>(s), 0};
}

// Whether the first 512 bytes (after decompression) are a tar header with
// a valid checksum, as Docker's archive detection decides.
bool IsTarArchive(const std::string& path) {
  Result<std::unique_ptr<image::FileSource>> file = image::FileSource::Open(path);
  if (!file.ok()) return false;
  std::unique_ptr<image::ByteSource> plain = image::NewDecompressingSource(file->get());
  unsigned char header[512];
  size_t have = 0;
  while (have < sizeof(header)) {
    Result<size_t> n = plain->Read(header + have, sizeof(header) - have);
    if (!n.ok() || *n == 0) return false;
    have += *n;
  }
  unsigned long stored = 0;
  bool digits = false;
  for (int i = 148; i < 156; ++i) {
    if (header[i] >= '0' && header[i] <= '7') {
      stored = stored * 8 + (header[i] - '0');
      digits = true;
    } else if (digits) {
      break;
    }
  }
  unsigned long sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : header[i];
  return digits && sum == stored;
}

// One COPY/ADD in progress: creates what it needs, remembers which
// directory times to settle at the end.
class Copier {
 public:
  Copier(const CopyStep& step, std::string rootfs, std::optional<int64_t> sde)
      : step_(step), rootfs_(std::move(rootfs)), fixed_time_(Seconds(sde.value_or(0))) {}

  Status Init() {
    if (!step_.chmod.empty()) {
      ASSIGN_OR_RETURN(chmod_, ParseChmod(step_.chmod));
    }
    if (!step_.chown.empty()) {
      ASSIGN_OR_RETURN(owner_, ResolveFileOwner(rootfs_, step_.chown));
    }
    return Status::OK();
  }

  // Makes sure the directory `comps` exists; returns its host path.
  // `meta`, when given, supplies mode and mtime if it has to be created.
  Result<std::string> EnsureDir(const std::vector<std::string>& comps,
                                const struct stat* meta = nullptr) {
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

  // Copies the tree at `src` to the host path `dst` (cp -a, owner and mode
  // as the step says).
  Status CopyEntry(const std::string& src, const std::string& dst) {
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

  // Copies the entries of the directory `src` into the directory `dst`.
  Status CopyChildren(const std::string& src, const std::string& dst) {
    DIR* d = ::opendir(src.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", src);
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) TRY(CopyEntry(src + "/" + name, dst + "/" + name));
    return Status::OK();
  }

  Status WriteInline(const InlineFile& file, const std::string& dst) {
    struct stat existing;
    if (::lstat(dst.c_str(), &existing) == 0) {
      if (S_ISDIR(existing.st_mode)) {
        return Status::InvalidArgument("cannot write <<" + file.name + ": " +
                                       dst.substr(rootfs_.size()) + " is a directory");
      }
      if (::unlink(dst.c_str()) != 0) return ErrnoStatus("unlink", dst);
      ForgetCopiesAt(dst);
    }
    TRY(WriteFile(dst, file.content, 0644));
    struct stat meta {};
    meta.st_mode = S_IFREG | 0644;
    meta.st_mtim = fixed_time_;
    return ApplyMeta(dst, meta);
  }

  // Gives created directories the fixed time and existing ones their old
  // times back (only where the step changed them).
  Status SettleTimes() {
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

  void SetOwner(uid_t uid, gid_t gid) { owner_ = {uid, gid}; }
  const std::optional<std::pair<uid_t, gid_t>>& owner() const { return owner_; }

 private:
  struct Times {
    std::string path;
    struct timespec atime, mtime;
  };

  Status EnsureOneDir(const std::string& path, const struct stat* meta) {
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
    uid_t uid = owner_ ? owner_->first : 0;
    gid_t gid = owner_ ? owner_->second : 0;
    if (::lchown(path.c_str(), uid, gid) != 0) return ErrnoStatus("lchown", path);
    uint32_t mode = chmod_ && meta != nullptr ? *chmod_ : (m.st_mode & 07777);
    if (::chmod(path.c_str(), mode) != 0) return ErrnoStatus("chmod", path);
    created_.push_back({path, {}, meta != nullptr ? meta->st_mtim : fixed_time_});
    return Status::OK();
  }

  void RememberTimes(const std::string& path) {
    for (const Times& t : existing_) {
      if (t.path == path) return;
    }
    for (const Times& t : created_) {
      if (t.path == path) return;
    }
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) existing_.push_back({path, st.st_atim, st.st_mtim});
  }

  Status CopyFileContent(const std::string& src, const std::string& dst) {
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

  static Result<std::string> ReadLink(const std::string& path) {
    std::string target(4096, '\0');
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoStatus("readlink", path);
    target.resize(static_cast<size_t>(n));
    return target;
  }

  // Owner, mode and mtime of a copied entry (chown before chmod: chown
  // clears setuid bits).
  Status ApplyMeta(const std::string& dst, const struct stat& src) {
    uid_t uid = owner_ ? owner_->first : (step_.preserve_owner ? src.st_uid : 0);
    gid_t gid = owner_ ? owner_->second : (step_.preserve_owner ? src.st_gid : 0);
    if (::lchown(dst.c_str(), uid, gid) != 0) return ErrnoStatus("lchown", dst);
    if (!S_ISLNK(src.st_mode)) {
      uint32_t mode = chmod_ ? *chmod_ : (src.st_mode & 07777);
      if (::chmod(dst.c_str(), mode) != 0) return ErrnoStatus("chmod", dst);
    }
    struct timespec ts[2] = {src.st_mtim, src.st_mtim};
    if (::utimensat(AT_FDCWD, dst.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus("utimensat", dst);
    }
    return Status::OK();
  }

  // A later source replaced `dst` (and what was below it): the copies there
  // are no longer the ones other names of their sources link to.
  void ForgetCopiesAt(const std::string& dst) {
    std::erase_if(linked_, [&](const auto& kv) {
      return kv.second == dst || kv.second.rfind(dst + "/", 0) == 0;
    });
  }

  // Extended attributes of `src` onto `dst` (after the chown, which drops
  // security.capability), except overlayfs's own trusted.overlay.*.
  static Status CopyXattrs(const std::string& src, const std::string& dst) {
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

  const CopyStep& step_;
  std::string rootfs_;
  struct timespec fixed_time_;
  std::optional<uint32_t> chmod_;
  std::optional<std::pair<uid_t, gid_t>> owner_;
  std::vector<Times> created_;
  std::vector<Times> existing_;
  std::map<std::pair<dev_t, ino_t>, std::string> linked_;  // source inode -> its first copy
};

bool EndsAsDirectory(const std::string& dest) {
  return dest.empty() || dest == "." || dest.back() == '/' ||
         (dest.size() >= 2 && dest.compare(dest.size() - 2, 2, "/.") == 0);
}

bool IsRemote(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0 ||
         source.rfind("git@", 0) == 0;
}

// The pivot of a COPY --parents source (BuildKit's strings.Cut(src, "/./")):
// the part before the first "/./", or "" (the root) when there is none.
std::string ParentsPivot(const std::string& source) {
  size_t cut = source.find("/./");
  return cut == std::string::npos ? "" : source.substr(0, cut);
}

// COPY --parents: every match of every source goes to dest + its path below
// the source's pivot.
Status CopyWithParents(const CopyStep& step, Copier& copier,
                       const std::vector<std::string>& dest_comps) {
  for (const std::string& pattern : step.sources) {
    ASSIGN_OR_RETURN(std::vector<std::string> pivot,
                     CleanComponents(ParentsPivot(pattern), "source"));
    ASSIGN_OR_RETURN(std::vector<CopySource> found, ResolveCopySources(step.source_root, pattern));
    for (const CopySource& source : found) {
      std::vector<std::string> rel = SplitClamped(source.path);
      if (rel.size() >= pivot.size() && std::equal(pivot.begin(), pivot.end(), rel.begin())) {
        rel.erase(rel.begin(), rel.begin() + static_cast<std::ptrdiff_t>(pivot.size()));
      }
      std::vector<std::string> target = dest_comps;
      target.insert(target.end(), rel.begin(), rel.end());
      struct stat st;
      if (::stat(source.host_path.c_str(), &st) != 0) {
        return Status::NotFound("COPY source " + source.host_path + " is a dangling symlink");
      }
      if (S_ISDIR(st.st_mode)) {
        ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(target, &st));
        TRY(copier.CopyChildren(source.host_path, dir));
        continue;
      }
      if (target.empty()) return Status::InvalidArgument("COPY --parents: cannot copy a file to /");
      std::string name = target.back();
      target.pop_back();
      ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(target));
      TRY(copier.CopyEntry(source.host_path, dir + "/" + name));
    }
  }
  return Status::OK();
}

}  // namespace

Result<uint32_t> ParseChmod(const std::string& chmod) {
  uint32_t mode = 0;
  bool ok = !chmod.empty() && chmod.size() <= 5;
  for (char c : chmod) {
    if (c < '0' || c > '7') ok = false;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  if (!ok || mode > 07777) {
    return Status::InvalidArgument("invalid --chmod=" + chmod +
                                   ": expected an octal mode such as 755 or 0644");
  }
  return mode;
}

Status ApplyCopy(const CopyStep& step, const std::string& rootfs, const std::string& workdir,
                 std::optional<int64_t> source_date_epoch) {
  Copier copier(step, rootfs, source_date_epoch);
  TRY(copier.Init());
  if (step.parents) {
    std::string dest =
        step.dest.empty() || step.dest.front() != '/' ? workdir + "/" + step.dest : step.dest;
    TRY(CopyWithParents(step, copier, SplitClamped(dest)));
    for (const InlineFile& file : step.contents) {
      ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(SplitClamped(dest)));
      TRY(copier.WriteInline(file, dir + "/" + file.name));
    }
    return copier.SettleTimes();
  }

  std::vector<CopySource> sources;
  for (const std::string& pattern : step.sources) {
    if (IsRemote(pattern)) {
      return Status::InvalidArgument("ADD " + pattern +
                                     ": remote sources are not fetched by the worker; the "
                                     "coordinator must download them into the context");
    }
    ASSIGN_OR_RETURN(std::vector<CopySource> found, ResolveCopySources(step.source_root, pattern));
    for (CopySource& s : found) sources.push_back(std::move(s));
  }
  bool dest_is_dir = EndsAsDirectory(step.dest);
  if (sources.size() + step.contents.size() > 1 && !dest_is_dir) {
    return Status::InvalidArgument(
        "When using COPY with more than one source file, the destination must be a directory "
        "and end with a / (destination \"" +
        step.dest + "\")");
  }
  std::string dest = step.dest;
  if (dest.empty() || dest.front() != '/') dest = workdir + "/" + dest;
  std::vector<std::string> dest_comps = SplitClamped(dest);

  // Where a file source goes: into the dest directory under `name`, or
  // to dest itself.
  auto file_target = [&](const std::string& name) -> Result<std::string> {
    bool into_dir = dest_is_dir || dest_comps.empty();
    if (!into_dir) {
      ASSIGN_OR_RETURN(std::string existing, FollowInRoot(rootfs, dest_comps));
      struct stat st;
      into_dir = ::stat(existing.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (into_dir) {
      ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(dest_comps));
      return dir + "/" + name;
    }
    std::vector<std::string> parent(dest_comps.begin(), dest_comps.end() - 1);
    ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(parent));
    return dir + "/" + dest_comps.back();
  };

  for (const CopySource& source : sources) {
    struct stat st;
    if (::stat(source.host_path.c_str(), &st) != 0) {
      return Status::NotFound("COPY source " + source.host_path + " is a dangling symlink");
    }
    if (S_ISDIR(st.st_mode)) {
      // Contents only: an existing destination keeps its own metadata, a
      // created one takes the source directory's mode and mtime.
      ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(dest_comps, &st));
      TRY(copier.CopyChildren(source.host_path, dir));
      continue;
    }
    if (step.unpack_archives && S_ISREG(st.st_mode) && IsTarArchive(source.host_path)) {
      ASSIGN_OR_RETURN(std::string dir, copier.EnsureDir(dest_comps));
      ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> file,
                       image::FileSource::Open(source.host_path));
      image::ExtractOptions options;
      if (copier.owner()) options.owner = *copier.owner();  // ADD --chown, as BuildKit
      Result<image::ExtractResult> extracted = image::ExtractArchive(file.get(), dir, options);
      if (!extracted.ok()) {
        return Status(extracted.status().code(), "ADD " + source.name + ": extracting into " +
                                                     dest + ": " + extracted.status().message());
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string target, file_target(source.name));
    TRY(copier.CopyEntry(source.host_path, target));
  }
  for (const InlineFile& file : step.contents) {
    ASSIGN_OR_RETURN(std::string target, file_target(file.name));
    TRY(copier.WriteInline(file, target));
  }
  return copier.SettleTimes();
}

Status MakeDirInRoot(const std::string& rootfs, const std::string& dir, uid_t uid, gid_t gid,
                     std::optional<int64_t> source_date_epoch) {
  CopyStep none;
  Copier copier(none, rootfs, source_date_epoch);
  copier.SetOwner(uid, gid);
  TRY(copier.EnsureDir(SplitClamped(dir)).status());
  return copier.SettleTimes();
}

}  // namespace strata::worker
