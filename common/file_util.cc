#include "common/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/errno_status.h"

namespace strata {

Status MakeDirs(const std::string& path, unsigned mode) {
  if (path.empty()) return Status::InvalidArgument("MakeDirs: empty path");
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    if (prefix.empty()) continue;
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return ErrnoStatus("mkdir", prefix);
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path);
  if (!S_ISDIR(st.st_mode))
    return Status::IOError("mkdir " + path + ": exists and is not a directory");
  return Status::OK();
}

Status WriteFile(const std::string& path, std::string_view content, unsigned mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("create", path);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t w = write(fd, content.data() + done, content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      Status s = ErrnoStatus("write", path);
      close(fd);
      return s;
    }
    done += w;
  }
  if (close(fd) != 0) return ErrnoStatus("close", path);
  return Status::OK();
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = ErrnoStatus("read", path);
      close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buffer, n);
  }
  close(fd);
  return out;
}

Result<std::vector<std::string>> ListDirectory(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus("opendir", path);
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(dir);
  return names;
}

}  // namespace strata
