#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/result.h"
#include "image/digest.h"
#include "protocol/build.pb.h"

namespace strata::worker {

// Gives the local path of a blob (the content of a regular context file),
// e.g. BlobCache::Get with the job's fetcher.
using BlobPathFn = std::function<Result<std::string>(const Digest& digest)>;

// Fills the existing empty directory `dir` with exactly `entries` (a COPY's
// CopySpec.context: paths relative to the context root, '/'-separated):
// directories, regular files copied from `blob_path(sha256)` with the
// entry's mode, and symlinks to link_target, each with its xattrs; the
// regular entries of one hardlink_group become one file with several names
// (content and mode must agree, else InvalidArgument). Parents an entry needs but the
// list lacks are created 0755. Every mtime (the root's too) is set to
// `mtime`: the cache key of a COPY covers path, type, mode, size and
// content but never mtime, so the layer must not depend on it either (see
// docs/worker-steps.md).
//
// Refused with InvalidArgument, before anything is written: an absolute
// path, a ".." component, a duplicate, an entry under a symlink of the list,
// an unknown type, a regular file without a valid sha256. A blob whose size
// differs from the entry's is Corruption. On error `dir` may hold part of
// the tree; the caller removes it.
Status MaterializeContext(const google::protobuf::RepeatedPtrField<v1::ContextEntry>& entries,
                          const std::string& dir, const BlobPathFn& blob_path, int64_t mtime);

}  // namespace strata::worker
