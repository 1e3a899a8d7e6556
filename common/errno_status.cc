#include "common/errno_status.h"

#include <cerrno>
#include <cstring>

namespace strata {

Status ErrnoStatus(std::string_view call, const std::string& path) {
  return Status::IOError(std::string(call) + " " + path + ": " + std::strerror(errno));
}

}  // namespace strata
