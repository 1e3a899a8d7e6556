#include "common/private_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/file_util.h"

namespace strata {

Status EnsurePrivateDir(const std::string& path) {
  TRY(MakeDirs(path, 0700));
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return Status::IOError("cannot stat state directory " + path + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) {
    return Status::PermissionDenied("state directory " + path +
                                    " is a symbolic link; point --root/STRATA_ROOT at the "
                                    "directory itself");
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("state directory " + path + " is not a directory");
  }
  if (st.st_uid != ::geteuid()) {
    return Status::PermissionDenied("state directory " + path + " belongs to uid " +
                                    std::to_string(st.st_uid) + ", not to you (uid " +
                                    std::to_string(::geteuid()) +
                                    "); use a directory of your own with --root or STRATA_ROOT");
  }
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), st.st_mode & 0700) != 0) {
    return Status::IOError("cannot make state directory " + path +
                           " private (chmod 0700): " + std::strerror(errno));
  }
  return Status::OK();
}

Result<int> OpenPrivateLogFile(const std::string& path, uint64_t max_bytes) {
  struct stat old {};
  if (::lstat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode) &&
      static_cast<uint64_t>(old.st_size) > max_bytes) {
    std::string previous = path + ".1";
    if (::rename(path.c_str(), previous.c_str()) != 0) {
      return Status::IOError("cannot rotate log file " + path + " to " + previous + ": " +
                             std::strerror(errno));
    }
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IOError("cannot open log file " + path + ": " + std::strerror(errno) +
                           (errno == ELOOP ? " (it is a symbolic link; remove it)" : ""));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError("log file " + path + " is not a regular file; remove it");
  }
  if ((st.st_mode & 077) != 0) (void)::fchmod(fd, 0600);  // best effort: we own it or fail later
  return fd;
}

}  // namespace strata
