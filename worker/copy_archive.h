#pragma once

// Internal to worker/: ADD's local archives (plain, gzip or zstd tars).

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>

#include "common/status.h"

namespace strata::worker {

// Whether the first 512 bytes of `path` (after decompression) are a tar
// header with a valid checksum, as Docker's archive detection decides.
bool IsTarArchive(const std::string& path);

// Extracts the archive at `archive` into the host directory `dir` as a
// chroot at `dir` would (image::ExtractArchive), owned by `owner` when set.
Status ExtractArchiveInto(const std::string& archive, const std::string& dir,
                          const std::optional<std::pair<uid_t, gid_t>>& owner);

}  // namespace strata::worker
