#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace strata::worker {

// A here-document a step writes as a file (`COPY <<EOF /dst`, `RUN <<EOF`).
struct InlineFile {
  std::string name;     // the delimiter word: the file's name
  std::string content;  // the body, already expanded and chomped by the front end
};

// A COPY or ADD, with the front end's variables already expanded.
struct CopyStep {
  // Absolute host directory the sources are relative to: the build context
  // on this worker, or the rootfs of the --from stage or image.
  std::string source_root;
  // Source paths or Go filepath.Match patterns, relative to source_root
  // (a leading '/' also counts from it).
  std::vector<std::string> sources;
  std::vector<InlineFile> contents;  // COPY <<EOF sources, after `sources`
  // Destination as written: relative to the WORKDIR unless absolute; a
  // trailing '/' (or "." alone) makes it a directory.
  std::string dest;
  std::string chown;  // "user[:group]", names resolved in the destination; "" = none
  std::string chmod;  // octal ("755", "0644"); "" = keep the source's mode
  // Without --chown: keep the sources' numeric owners (--from), or make
  // everything 0:0 (the build context, as Docker's context transfer does).
  bool preserve_owner = false;
  // ADD: a local tar archive (plain, gzip or zstd) is extracted into the
  // destination directory instead of copied.
  bool unpack_archives = false;
  // COPY --parents (BuildKit): dest is a directory, and each match keeps its
  // path below the source's `/./` pivot (or below the root without one):
  // `COPY --parents a/b/c.txt /d/` writes /d/a/b/c.txt, `x/./a/*.txt` writes
  // /d/a/*.txt. Missing directories on the way are created (0755).
  bool parents = false;
};

// Applies `step` to the root file system `rootfs` (for a build step, the
// merged directory of an overlay mount), with Docker's rules:
//  - a directory source copies its contents (not itself) into dest;
//  - more than one source file requires dest to end in '/'
//    (InvalidArgument); dest ending in '/' or an existing directory
//    receives files under their own names, otherwise dest is the file;
//  - missing directories of dest are created (0755, the --chown owner);
//  - a wildcard matching nothing copies nothing (BuildKit's
//    AllowEmptyWildcard); a missing plain source is NotFound;
//  - copied entries keep their mode (unless --chmod), mtime and extended
//    attributes; names of one source inode copied by the step stay hard
//    links of each other; inline files are 0644;
//  - --chown owns what the step creates, resolved as BuildKit's file ops
//    do (ResolveFileOwner: an unknown name is 0:0);
//  - ADD extracts a local archive as a chroot at the destination would
//    (image::ExtractArchive), owned by --chown when given.
// Reproducibility (layers must not depend on when the step ran): existing
// destination directories get their previous mtime back, and directories
// and inline files the step creates get `source_date_epoch`, or 0 when
// unset. Paths in `rootfs` are resolved inside it (its symlinks never lead
// out). `workdir` is the absolute WORKDIR. The writing itself is
// sandbox::RootWriter's, the owner and mode rules are CopyWriteRules'
// (copy_rules.h), the source selection is ResolveCopySources'
// (copy_source.h).
Status ApplyCopy(const CopyStep& step, const std::string& rootfs, const std::string& workdir,
                 std::optional<int64_t> source_date_epoch);

}  // namespace strata::worker
