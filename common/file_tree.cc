#include "common/file_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/errno_status.h"
#include "common/logging.h"
#include "common/thread_top.h"

namespace strata {

namespace {

// Removes the contents of the open directory `fd` (which it closes).
Status RemoveContents(int fd, const std::string& path) {
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    close(fd);
    return ErrnoStatus("fdopendir", path);
  }
  Status result;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string child = path + "/" + name;
    if (unlinkat(dirfd(dir), name.c_str(), 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) {
      result = ErrnoStatus("unlink", child);
      break;
    }
    int child_fd =
        openat(dirfd(dir), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child_fd < 0) {
      result = ErrnoStatus("open", child);
      break;
    }
    result = RemoveContents(child_fd, child);
    if (!result.ok()) break;
    if (unlinkat(dirfd(dir), name.c_str(), AT_REMOVEDIR) != 0) {
      result = ErrnoStatus("rmdir", child);
      break;
    }
  }
  closedir(dir);
  return result;
}

Status CopyFileContents(int from_dir, int to_dir, const char* name, const struct stat& st,
                        const std::string& path) {
  int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return ErrnoStatus("open", path);
  int out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   st.st_mode & 07777);
  if (out < 0) {
    close(in);
    return ErrnoStatus("create copy of", path);
  }
  std::vector<char> buffer(1 << 16);
  Status result;
  for (;;) {
    ssize_t n = read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = ErrnoStatus("read", path);
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buffer.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        result = ErrnoStatus("write copy of", path);
        break;
      }
      done += w;
    }
    if (!result.ok()) break;
  }
  close(in);
  if (close(out) != 0 && result.ok()) result = ErrnoStatus("close copy of", path);
  return result;
}

// Copies the entries of directory `from_fd` into directory `to_fd`; closes
// neither.
Status CopyContents(int from_fd, int to_fd, const std::string& path) {
  int list_fd = dup(from_fd);
  if (list_fd < 0) return ErrnoStatus("dup", path);
  DIR* dir = fdopendir(list_fd);
  if (dir == nullptr) {
    close(list_fd);
    return ErrnoStatus("fdopendir", path);
  }
  Status result;
  while (struct dirent* entry = readdir(dir)) {
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    std::string child = path + "/" + name;
    struct stat st;
    if (fstatat(from_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      result = ErrnoStatus("lstat", child);
      break;
    }
    if (!S_ISDIR(st.st_mode) && unlinkat(to_fd, name, 0) != 0 && errno != ENOENT) {
      result = ErrnoStatus("replace", child);
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(to_fd, name, 0700) != 0 && errno != EEXIST) {
        result = ErrnoStatus("mkdir copy of", child);
        break;
      }
      int sub_from = openat(from_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int sub_to = openat(to_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub_from < 0 || sub_to < 0) {
        result = ErrnoStatus("open", child);
      } else {
        result = CopyContents(sub_from, sub_to, child);
      }
      if (sub_from >= 0) close(sub_from);
      if (sub_to >= 0) close(sub_to);
      if (!result.ok()) break;
      if (fchmodat(to_fd, name, st.st_mode & 07777, 0) != 0) {
        result = ErrnoStatus("chmod copy of", child);
        break;
      }
    } else if (S_ISREG(st.st_mode)) {
      result = CopyFileContents(from_fd, to_fd, name, st, child);
      if (!result.ok()) break;
    } else if (S_ISLNK(st.st_mode)) {
      std::vector<char> target(st.st_size + 1);
      ssize_t n = readlinkat(from_fd, name, target.data(), target.size());
      if (n < 0) {
        result = ErrnoStatus("readlink", child);
        break;
      }
      target[n] = '\0';
      if (symlinkat(target.data(), to_fd, name) != 0) {
        result = ErrnoStatus("symlink copy of", child);
        break;
      }
    } else {
      if (mknodat(to_fd, name, st.st_mode, st.st_rdev) != 0) {
        result = ErrnoStatus("mknod copy of", child);
        break;
      }
    }
    if (fchownat(to_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 && errno != EPERM) {
      result = ErrnoStatus("chown copy of", child);
      break;
    }
    // The mode goes on after chown: the umask trimmed the create mode and
    // chown clears setuid/setgid bits.
    if (!S_ISLNK(st.st_mode) && fchmodat(to_fd, name, st.st_mode & 07777, 0) != 0) {
      result = ErrnoStatus("chmod copy of", child);
      break;
    }
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (utimensat(to_fd, name, times, AT_SYMLINK_NOFOLLOW) != 0) {
      result = ErrnoStatus("utimensat copy of", child);
      break;
    }
  }
  closedir(dir);
  return result;
}

}  // namespace

Status RemoveTree(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::OK();
    return ErrnoStatus("lstat", path);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path);
    return Status::OK();
  }
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  TRY(RemoveContents(fd, path));
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("rmdir", path);
  return Status::OK();
}

Status CopyTree(const std::string& from, const std::string& to) {
  int from_fd = open(from.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (from_fd < 0) return ErrnoStatus("open", from);
  int to_fd = open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (to_fd < 0) {
    Status s = ErrnoStatus("open", to);
    close(from_fd);
    return s;
  }
  Status result = CopyContents(from_fd, to_fd, from);
  close(from_fd);
  close(to_fd);
  return result;
}

Status RemoveTreeInBackground(const std::string& path, const std::string& trash_path) {
  if (::rename(path.c_str(), trash_path.c_str()) != 0) {
    if (errno == ENOENT) return Status::OK();
    return RemoveTree(path);
  }
  std::thread([trash_path] {
    Status removed = CatchAtThreadTopOr<Status>("removing " + trash_path,
                                                [&] { return RemoveTree(trash_path); });
    if (!removed.ok()) LOG(WARN) << "removing " << trash_path << ": " << removed.message();
  }).detach();
  return Status::OK();
}

namespace {

using InodeSet = std::set<std::pair<dev_t, ino_t>>;

// Adds the bytes below the open directory `fd` (which it closes).
Status AddTreeBytes(int fd, const std::string& path, InodeSet& seen, uint64_t& total) {
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    close(fd);
    return ErrnoStatus("fdopendir", path);
  }
  Status result;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (fstatat(dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed while we looked
      result = ErrnoStatus("stat", path + "/" + name);
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      int child = openat(dirfd(dir), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) {
        result = ErrnoStatus("open", path + "/" + name);
        break;
      }
      result = AddTreeBytes(child, path + "/" + name, seen, total);
      if (!result.ok()) break;
    } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
      if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
      total += static_cast<uint64_t>(st.st_size);
    }
  }
  closedir(dir);
  return result;
}

}  // namespace

Result<uint64_t> TreeBytes(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + " does not exist");
    return ErrnoStatus("stat", path);
  }
  if (!S_ISDIR(st.st_mode)) return static_cast<uint64_t>(S_ISREG(st.st_mode) ? st.st_size : 0);
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  InodeSet seen;
  uint64_t total = 0;
  TRY(AddTreeBytes(fd, path, seen, total));
  return total;
}

}  // namespace strata
