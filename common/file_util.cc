#include "common/file_util.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace strata {

Status MakeDirs(const std::string& path, unsigned mode) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string dir = path.substr(0, i);
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
      return Status::IOError("cannot create directory " + dir + ": " + std::strerror(errno));
    }
  }
  return Status::OK();
}

}  // namespace strata
