#pragma once

#include <optional>
#include <string>

#include "cli/context/context_manifest.h"
#include "cli/context/stat_cache.h"
#include "common/clock.h"
#include "common/result.h"

namespace strata::cli::context {

struct ScanOptions {
  // The .dockerignore rules to apply. When unset, <dir>/.dockerignore is
  // read if it exists (a caller that supports <Dockerfile>.dockerignore
  // passes that file's content instead).
  std::optional<std::string> dockerignore;
  // Serves and records content hashes; not owned, may be null. Saving it is
  // the caller's job (after a successful scan).
  StatCache* stat_cache = nullptr;
  // Threads hashing file content (the second one only joins in for many
  // files).
  int hash_threads = 2;
  // For the stat cache's racily-clean rule; SystemClock when null.
  Clock* clock = nullptr;
};

// Describes the build context directory `dir` as the builder will see it.
//
// - Walks `dir` without following any symlink below it (`dir` itself may
//   be one). Entries: directories, regular files (size + SHA-256) and
//   symlinks (target), each with its permission bits including
//   setuid/setgid/sticky, and their extended attributes (not
//   security.selinux or trusted.overlay.*, which belong to the host); never
//   mtime or owner. Regular files with several names in the context (hard
//   links) share a hardlink group, the first such path. Sockets, fifos and
//   devices are skipped and listed in `warnings`.
// - Applies .dockerignore as BuildKit's context transfer does: an excluded
//   path is left out; an excluded directory is not descended into unless a
//   '!' exception could re-include something below it, and it is listed
//   only when something below it is. The .dockerignore file and the
//   Dockerfile obey the rules like any file: if they are excluded, COPY
//   does not see them (Docker documents this); the builder still gets the
//   Dockerfile, which the client sends separately, and the rules, which
//   the client applied.
// - Entries are sorted by path; the same tree gives the same manifest in
//   any directory, after a copy without -p and after `touch`.
//
// Errors: NotFound / InvalidArgument when `dir` is missing or not a
// directory; InvalidArgument for a malformed .dockerignore (naming the
// line); PermissionDenied / IOError naming the path that cannot be listed
// or read, with what to do.
Result<ContextManifest> ScanContext(const std::string& dir, const ScanOptions& options);

}  // namespace strata::cli::context
