// Checks, before a component that cannot cope with a full disk starts
// (RocksDB asserts when its first writes fail), that a directory's file
// system can take some more bytes.
#ifndef STRATA_COMMON_FREE_SPACE_H_
#define STRATA_COMMON_FREE_SPACE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strata {

// OK when `bytes` more can be written under the existing directory `dir`:
// an unnamed file (O_TMPFILE) is given that much space with
// posix_fallocate and dropped; where the file system cannot do that,
// statvfs's free space for unprivileged users decides. Otherwise IOError
// "no space left on the file system of DIR for WHAT: …", saying what to do.
Status RequireFreeSpace(const std::string& dir, uint64_t bytes, std::string_view what);

}  // namespace strata

#endif  // STRATA_COMMON_FREE_SPACE_H_
