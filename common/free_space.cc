#include "common/free_space.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata {
namespace {

Status NoSpace(const std::string& dir, uint64_t bytes, std::string_view what,
               const std::string& detail) {
  return Status::IOError("no space left on the file system of " + dir + " for " +
                         std::string(what) + ": " + detail + "; it needs at least " +
                         std::to_string(bytes / (1024 * 1024)) +
                         " MiB free: free some space, or point --root/STRATA_ROOT elsewhere");
}

}  // namespace

Status RequireFreeSpace(const std::string& dir, uint64_t bytes, std::string_view what) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) {
    int error = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
    ::close(fd);  // the unnamed file and its space go with the descriptor
    if (error == 0) return Status::OK();
    if (error == ENOSPC || error == EDQUOT) return NoSpace(dir, bytes, what, std::strerror(error));
    // EOPNOTSUPP and the like: ask statvfs below.
  } else if (errno == ENOSPC || errno == EDQUOT) {
    return NoSpace(dir, bytes, what, std::strerror(errno));
  }
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) != 0) {
    return Status::IOError("cannot read the free space of " + dir + ": " + std::strerror(errno));
  }
  uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  if (free_bytes < bytes) {
    return NoSpace(dir, bytes, what, std::to_string(free_bytes) + " bytes free");
  }
  return Status::OK();
}

}  // namespace strata
