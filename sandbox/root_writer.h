#pragma once

// Writing into a container's root file system from the host, every path
// resolved inside the root (its symlinks never lead out), with the owner,
// mode and time rules a reproducible layer needs. COPY/ADD, WORKDIR and a
// container's working directory use it.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace strata::sandbox {

// The components of the container path `path` ("" and "." dropped, ".."
// applied; "/.." is "/" in the container, so it never climbs out).
std::vector<std::string> ContainerPathComponents(std::string_view path);

// How a RootWriter sets what it writes.
struct WriteRules {
  // Mode of copied entries and of directories created from a source's
  // metadata; unset: the source's own mode.
  std::optional<uint32_t> chmod;
  // Owner of everything written; unset: the source's numeric owner with
  // preserve_owner, otherwise 0:0.
  std::optional<std::pair<uid_t, gid_t>> owner;
  bool preserve_owner = false;
  // Mtime of created directories and written files: this, or 0 when unset.
  std::optional<int64_t> source_date_epoch;
};

// One writing operation (a COPY, a WORKDIR) into `rootfs`: it creates what
// it needs and remembers which directory times to settle at the end, so
// that existing directories get their previous mtime back (SettleTimes).
// Not thread-safe.
class RootWriter {
 public:
  RootWriter(std::string rootfs, WriteRules rules);

  // Makes sure the directory `comps` (container path components) exists
  // and returns its host path. Created directories are 0755 owned by
  // rules.owner (0:0 without); `meta`, when given, supplies mode and mtime
  // of the last one if it has to be created. A component that exists and
  // is not a directory is InvalidArgument.
  Result<std::string> EnsureDir(const std::vector<std::string>& comps,
                                const struct stat* meta = nullptr);

  // cp -a of the host tree at `src` to the host path `dst` inside the
  // root: regular files, directories, symlinks, devices and fifos (sockets
  // skipped), keeping mode (unless rules.chmod), mtime and extended
  // attributes (not trusted.overlay.*), owned as the rules say. Names of
  // one source inode written by this writer stay hard links of each other.
  Status CopyEntry(const std::string& src, const std::string& dst);

  // CopyEntry of each entry of the directory `src` into `dst`, by name.
  Status CopyChildren(const std::string& src, const std::string& dst);

  // Writes `content` as the new file `dst` (0644, the fixed mtime),
  // replacing a file there; `name` names it in errors (a here-document).
  Status WriteNewFile(const std::string& name, const std::string& content, const std::string& dst);

  // Gives created directories the fixed time and existing ones their old
  // times back (only where this writer changed them).
  Status SettleTimes();

 private:
  struct Times {
    std::string path;
    struct timespec atime, mtime;
  };

  Status EnsureOneDir(const std::string& path, const struct stat* meta);
  void RememberTimes(const std::string& path);
  Status CopyFileContent(const std::string& src, const std::string& dst);
  static Result<std::string> ReadLink(const std::string& path);
  // Owner, mode and mtime of a copied entry.
  Status ApplyMeta(const std::string& dst, const struct stat& src);
  // A later source replaced `dst` (and what was below it): the copies there
  // are no longer the ones other names of their sources link to.
  void ForgetCopiesAt(const std::string& dst);
  // Extended attributes of `src` onto `dst`, except overlayfs's own
  // trusted.overlay.*.
  static Status CopyXattrs(const std::string& src, const std::string& dst);

  WriteRules rules_;
  std::string rootfs_;
  struct timespec fixed_time_;
  std::vector<Times> created_;
  std::vector<Times> existing_;
  std::map<std::pair<dev_t, ino_t>, std::string> linked_;  // source inode -> its first copy
};

// mkdir -p of the container path `dir` (absolute) in `rootfs`, for
// WORKDIR, a RUN's and a container's working directory: created
// directories are 0755, owned by uid:gid (as BuildKit creates a WORKDIR for
// the USER), with RootWriter's time rules.
Status MakeDirInRoot(const std::string& rootfs, const std::string& dir, uid_t uid, gid_t gid,
                     std::optional<int64_t> source_date_epoch);

}  // namespace strata::sandbox
