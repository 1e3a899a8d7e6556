#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/digest.h"

namespace strata::cli::context {

// One file to hash: where to read it and how to name it in an error.
struct HashJob {
  std::string host_path;     // opened without following a final symlink
  std::string display_path;  // context-relative, for messages
};

struct HashOutput {
  Digest content;
  uint64_t bytes = 0;  // bytes read (the content length actually hashed)
};

// Hashes each job's file with SHA-256, reading with 1 MiB buffers, on up to
// `threads` threads (more than one only when there are enough files to
// pay for it). Output i belongs to job i whatever the thread timing; on
// failure the error of the lowest-numbered failing job is returned, so the
// result is deterministic. An unreadable file is PermissionDenied or
// IOError naming the file and saying what to do.
Result<std::vector<HashOutput>> HashFiles(const std::vector<HashJob>& jobs, int threads);

}  // namespace strata::cli::context
