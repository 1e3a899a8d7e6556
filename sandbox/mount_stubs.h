#pragma once

// Internal to worker/: the mount points a container needs in its rootfs.
//
// runc creates a missing mount point (/proc, /etc/hosts, a bind target...)
// in the rootfs, which would leave empty files and directories in the
// container's upper layer and so in the layer a RUN produces. Like BuildKit,
// the runtime creates the missing ones itself before the run and removes
// them afterwards, while they are still empty.

#include <sys/stat.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/runtime.h"

namespace strata::sandbox {

struct MountPoint {
  std::string destination;  // absolute path in the container
  bool is_file = false;     // the target of a bind mount of a file
};

// The mount points of `spec` that lie in the rootfs itself (not inside a
// tmpfs or sysfs the runtime mounts).
std::vector<MountPoint> RootfsMountPoints(const RunSpec& spec);

// What CreateMountStubs changed, so that RemoveMountStubs can undo it.
struct MountStubs {
  std::vector<std::string> created;  // host paths, in creation order
  // Existing directories that got a new entry: their times before, and
  // their mtime once every stub was created.
  struct Parent {
    std::string path;
    struct timespec atime, mtime;
    struct timespec mtime_after;
  };
  std::vector<Parent> touched_parents;
};

// Creates the missing parts of each point under `rootfs`. A path component
// that is a symlink is left alone (runc resolves it safely inside the
// rootfs). On error, what was created so far is already removed.
Result<MountStubs> CreateMountStubs(const std::string& rootfs,
                                    const std::vector<MountPoint>& points);

// Removes what CreateMountStubs created, newest first, skipping anything no
// longer empty (the command put something there: it is part of the layer),
// then restores the times of the directories that held them unless the
// command changed those directories too, so that a directory only the stubs
// touched looks unchanged to a differ.
void RemoveMountStubs(const MountStubs& stubs);

}  // namespace strata::sandbox
