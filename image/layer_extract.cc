#include "image/layer_extract.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "common/path_clean.h"
#include "image/layer_reader.h"
#include "image/path_resolver.h"
#include "image/whiteout.h"

namespace strata::image {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Status::IOError("extract: cannot " + std::string(what) + " " + path + ": " +
                         std::strerror(errno));
}

// rm -rf without following symlinks.
Status RemoveAll(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::OK() : Errno("stat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return Errno("open directory", path);
    std::vector<std::string> names;
    while (dirent* d = ::readdir(dir)) {
      std::string n = d->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(dir);
    for (const std::string& n : names) TRY(RemoveAll(path + "/" + n));
    if (::rmdir(path.c_str()) != 0) return Errno("remove directory", path);
    return Status::OK();
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
  return Status::OK();
}

Status MkdirAll(const std::string& root, const std::string& host_dir) {
  // host_dir is "<root>/<resolved...>"; create the missing tail.
  struct stat st;
  if (::lstat(host_dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::OK();
    return Status::Corruption("extract: " + host_dir + " exists and is not a directory");
  }
  size_t slash = host_dir.rfind('/');
  if (slash != std::string::npos && slash > root.size()) {
    TRY(MkdirAll(root, host_dir.substr(0, slash)));
  }
  if (::mkdir(host_dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Errno("create directory", host_dir);
  return Status::OK();
}

std::string JoinParts(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& p : parts) joined += (joined.empty() ? "" : "/") + p;
  return joined;
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// An archive entry's name as ADD reads it: a leading '/' counts from the
// destination, ".." is applied, and one that climbs above it is refused.
Result<std::vector<std::string>> SplitArchivePath(const std::string& path, std::string_view what) {
  std::optional<std::string> clean = CleanPathInside(path);
  if (!clean) {
    return Status::InvalidArgument("archive " + std::string(what) + " \"" + path +
                                   "\" is outside the destination; refusing to extract it");
  }
  return PathComponents(*clean);
}

class Extractor {
 public:
  Extractor(const std::string& root, const ExtractOptions& options)
      : root_(root),
        set_owner_(options.restore_ownership && ::geteuid() == 0),
        archive_(options.as_archive),
        owner_(options.owner) {}

  Status Apply(LayerReader* reader, const LayerEntry& e) {
    ASSIGN_OR_RETURN(std::vector<std::string> parts, Split(e.path, "entry"));
    if (parts.empty()) return Status::OK();  // the root itself: keep root's metadata
    std::string logical;
    for (const std::string& p : parts) logical += (logical.empty() ? "" : "/") + p;
    const std::string& base = parts.back();
    if (!archive_ && base.rfind(kWhiteoutPrefix, 0) == 0) return ApplyWhiteout(parts);

    ASSIGN_OR_RETURN(std::string host, Resolve(parts));
    TRY(MkdirAll(root_, Parent(host)));
    struct stat st;
    bool exists = ::lstat(host.c_str(), &st) == 0;
    if (exists && !(S_ISDIR(st.st_mode) && e.type == EntryType::kDirectory)) {
      TRY(RemoveAll(host));
    }
    switch (e.type) {
      case EntryType::kDirectory:
        if (!exists || !S_ISDIR(st.st_mode)) {
          if (::mkdir(host.c_str(), 0700) != 0) return Errno("create directory", host);
        }
        break;
      case EntryType::kRegular:
        TRY(WriteFile(reader, host, e));
        break;
      case EntryType::kSymlink:
        if (::symlink(e.link_target.c_str(), host.c_str()) != 0)
          return Errno("create symlink", host);
        break;
      case EntryType::kHardlink: {
        ASSIGN_OR_RETURN(std::vector<std::string> target_parts,
                         Split(e.link_target, "hardlink target"));
        if (target_parts.empty()) {
          return Status::InvalidArgument("layer hardlink \"" + e.path + "\" has an empty target");
        }
        ASSIGN_OR_RETURN(std::string target, Resolve(target_parts));
        struct stat tst;
        if (::lstat(target.c_str(), &tst) != 0) {
          // A whiteout stored as a link to a path this layer deleted (see
          // LegacyWhiteoutLinks): what was at `host` is gone already.
          LayerEntry link = e;
          link.path = logical;
          link.link_target = JoinParts(target_parts);
          if (legacy_whiteouts_.IsWhiteoutLink(link)) return Status::OK();
          return Status::Corruption("layer hardlink \"" + e.path + "\" -> \"" + e.link_target +
                                    "\": the target does not exist in the layer or below it");
        }
        if (S_ISDIR(tst.st_mode)) {
          return Status::Corruption("layer hardlink \"" + e.path + "\" points at a directory");
        }
        if (::link(target.c_str(), host.c_str()) != 0) return Errno("create hardlink", host);
        created_.insert(logical);
        return Status::OK();  // a hardlink shares the target's metadata
      }
      case EntryType::kCharDevice:
      case EntryType::kBlockDevice:
      case EntryType::kFifo: {
        mode_t kind = e.type == EntryType::kFifo         ? S_IFIFO
                      : e.type == EntryType::kCharDevice ? S_IFCHR
                                                         : S_IFBLK;
        if (::mknod(host.c_str(), kind | (e.mode & 07777), makedev(e.dev_major, e.dev_minor)) !=
            0) {
          return errno == EPERM ? Status::PermissionDenied("extract: creating device node " + host +
                                                           " needs root")
                                : Errno("create node", host);
        }
        break;
      }
    }
    created_.insert(logical);
    return SetMetadata(host, e);
  }

  // Directory mtimes are set last: creating children changes them.
  Status Finish() {
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
      timespec times[2] = {{it->second, 0}, {it->second, 0}};
      if (::utimensat(AT_FDCWD, it->first.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
        return Errno("set times of", it->first);
      }
    }
    return Status::OK();
  }

 private:
  Result<std::vector<std::string>> Split(const std::string& path, std::string_view what) {
    return archive_ ? SplitArchivePath(path, what) : SplitLayerPath(path, what);
  }
  Result<std::string> Resolve(const std::vector<std::string>& parts) {
    return archive_ ? ResolveInChroot(root_, parts) : ResolveInRoot(root_, parts);
  }

  Status WriteFile(LayerReader* reader, const std::string& host, const LayerEntry& e) {
    int fd = ::open(host.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Errno("create", host);
    if (buffer_.empty()) buffer_.resize(1 << 20);
    Status status;
    while (true) {
      Result<size_t> n = reader->ReadData(buffer_.data(), buffer_.size());
      if (!n.ok()) {
        status = n.status();
        break;
      }
      if (*n == 0) break;
      const char* p = buffer_.data();
      size_t left = *n;
      while (left > 0) {
        ssize_t w = ::write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          status = Errno("write", host);
          break;
        }
        p += w;
        left -= static_cast<size_t>(w);
      }
      if (!status.ok()) break;
    }
    ::close(fd);
    return status;
  }

  Status SetMetadata(const std::string& host, const LayerEntry& e) {
    uid_t uid = owner_ ? owner_->first : e.uid;
    gid_t gid = owner_ ? owner_->second : e.gid;
    if (set_owner_ && ::lchown(host.c_str(), uid, gid) != 0) return Errno("chown", host);
    for (const auto& [name, value] : e.xattrs) {
      if (::lsetxattr(host.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
        // Unprivileged or on a file system without xattrs: Docker ignores these too.
        if (errno == ENOTSUP || errno == EPERM) continue;
        return Errno("set xattr " + name + " on", host);
      }
    }
    if (e.type != EntryType::kSymlink && ::chmod(host.c_str(), e.mode & 07777) != 0) {
      return Errno("chmod", host);
    }
    if (e.type == EntryType::kDirectory) {
      dir_times_.emplace_back(host, e.mtime);
      return Status::OK();
    }
    timespec times[2] = {{e.mtime, 0}, {e.mtime, 0}};
    if (::utimensat(AT_FDCWD, host.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return Errno("set times of", host);
    }
    return Status::OK();
  }

  Status ApplyWhiteout(const std::vector<std::string>& parts) {
    const std::string& base = parts.back();
    std::vector<std::string> dir_parts(parts.begin(), parts.end() - 1);
    std::string dir_logical;
    for (const std::string& p : dir_parts) dir_logical += (dir_logical.empty() ? "" : "/") + p;
    if (base == kOpaqueWhiteout) {
      std::string host_dir = root_;
      if (!dir_parts.empty()) {
        ASSIGN_OR_RETURN(host_dir, ResolveInRoot(root_, dir_parts));
      }
      return ClearExceptCreated(host_dir, dir_logical);
    }
    if (base.rfind(std::string(kWhiteoutPrefix) + std::string(kWhiteoutPrefix), 0) == 0) {
      return Status::OK();  // other .wh..wh.* metadata (aufs) carries nothing to apply
    }
    legacy_whiteouts_.NoteWhiteout(JoinParts(parts));
    std::vector<std::string> victim = dir_parts;
    victim.push_back(base.substr(kWhiteoutPrefix.size()));
    ASSIGN_OR_RETURN(std::string host, ResolveInRoot(root_, victim));
    return RemoveAll(host);
  }

  // Empties `host_dir` of everything this layer did not itself create.
  Status ClearExceptCreated(const std::string& host_dir, const std::string& logical) {
    struct stat st;
    if (::lstat(host_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Status::OK();
    DIR* dir = ::opendir(host_dir.c_str());
    if (dir == nullptr) return Errno("open directory", host_dir);
    std::vector<std::string> names;
    while (dirent* d = ::readdir(dir)) {
      std::string n = d->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(dir);
    for (const std::string& n : names) {
      std::string child_logical = logical.empty() ? n : logical + "/" + n;
      std::string child_host = host_dir + "/" + n;
      if (created_.count(child_logical) == 0) {
        TRY(RemoveAll(child_host));
      } else {
        TRY(ClearExceptCreated(child_host, child_logical));
      }
    }
    return Status::OK();
  }

  std::string root_;
  bool set_owner_;
  bool archive_;                                        // ADD's archive rules instead of a layer's
  std::optional<std::pair<uint32_t, uint32_t>> owner_;  // ADD --chown
  std::set<std::string> created_;                       // logical paths this layer wrote
  LegacyWhiteoutLinks legacy_whiteouts_;
  std::vector<std::pair<std::string, int64_t>> dir_times_;
  std::vector<char> buffer_;
};

}  // namespace

Result<ExtractResult> ExtractLayer(ByteSource* layer, const std::string& root,
                                   const ExtractOptions& options) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("extract: root " + root + " is not a directory");
  }
  LayerReader reader(layer);
  Extractor extractor(root, options);
  ExtractResult result;
  while (true) {
    LayerEntry e;
    ASSIGN_OR_RETURN(bool more, reader.Next(&e));
    if (!more) break;
    Status s = extractor.Apply(&reader, e);
    if (!s.ok()) return s;
    ++result.entries;
  }
  TRY(extractor.Finish());
  result.diff_id = reader.diff_id();
  result.uncompressed_size = reader.uncompressed_size();
  return result;
}

Result<ExtractResult> ExtractArchive(ByteSource* archive, const std::string& root,
                                     ExtractOptions options) {
  options.as_archive = true;
  return ExtractLayer(archive, root, options);
}

}  // namespace strata::image
