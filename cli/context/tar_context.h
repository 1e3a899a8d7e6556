#pragma once

#include <string>

#include "cli/context/context_manifest.h"
#include "common/result.h"
#include "image/byte_source.h"

namespace strata::cli::context {

// Describes a build context given as a tar stream (`strata build -`: plain,
// gzip or zstd, detected) and spools the regular files' content into
// `spool_dir` (created if missing; the caller removes it after upload), so
// the manifest's content_root is `spool_dir`.
//
// - Paths are cleaned ("./a//b" -> "a/b", a leading '/' dropped); an entry
//   that climbs out with ".." or lies below a non-directory is rejected.
// - Directories implied by a deeper path but missing from the tar are
//   listed with mode 0755, as extraction would create them.
// - A later entry for the same path replaces the earlier one; a hard link
//   becomes a regular file with its target's content.
// - The .dockerignore at the root of the tar (if any) is applied after
//   reading, as for a directory context.
// - Devices and fifos are skipped with a warning. Never writes outside
//   `spool_dir` and never creates symlinks there.
//
// Errors: Corruption for an unreadable or malformed tar, InvalidArgument for
// an entry leaving the context, IOError when spooling fails.
Result<ContextManifest> ScanTarContext(image::ByteSource& in, const std::string& spool_dir);

}  // namespace strata::cli::context
