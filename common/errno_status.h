#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace strata {

// "<call> <path>: <strerror(errno)>" as an IOError, for a failed POSIX call
// on `path`. Reads errno: call it before anything that may change errno.
Status ErrnoStatus(std::string_view call, const std::string& path);

}  // namespace strata
