// The state directory of a coordinator and its clients: owned by the user
// who runs them, mode 0700 whatever the umask, so that no other user can
// reach its sockets, locks or logs.
#ifndef STRATA_COMMON_PRIVATE_DIR_H_
#define STRATA_COMMON_PRIVATE_DIR_H_

#include <cstdint>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace strata {

// Creates `path` (and missing parents, 0700) or checks the one there: it
// must be a directory (not a symlink to one) owned by the effective user;
// group and other permission bits are removed. Refuses a directory owned by
// another user with PermissionDenied, saying what to do.
Status EnsurePrivateDir(const std::string& path);

// Opens `path` for appending (created 0600), refusing a symlink, so that a
// link planted in a shared place cannot make us write elsewhere. A file that
// already holds more than `max_bytes` is first renamed to PATH.1 (replacing
// the one before), so a log never grows past about twice that. Returns the
// descriptor (O_CLOEXEC).
Result<int> OpenPrivateLogFile(const std::string& path, uint64_t max_bytes = 16 << 20);

}  // namespace strata

#endif  // STRATA_COMMON_PRIVATE_DIR_H_
