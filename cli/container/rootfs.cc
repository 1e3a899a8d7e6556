#include "cli/container/rootfs.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/errno_status.h"
#include "common/file_util.h"
#include "snapshot/layer_unpacker.h"
#include "snapshot/overlay_snapshotter.h"

namespace strata::cli::container {
namespace {

std::string HexOf(const std::string& digest) { return digest.substr(digest.find(':') + 1); }

}  // namespace

Status EnsureLayers(const std::string& snapshot_root, const std::string& blob_dir,
                    const std::vector<LayerBlobRef>& layers) {
  ASSIGN_OR_RETURN(auto snapshotter, snapshot::OverlaySnapshotter::Open(snapshot_root));
  for (const auto& layer : layers) {
    ASSIGN_OR_RETURN(bool have, snapshotter->HasLayer(layer.diff_id));
    std::string blob = blob_dir + "/" + HexOf(layer.digest);
    if (!have && access(blob.c_str(), R_OK) != 0) {
      return Status::NotFound("layer blob " + layer.digest + " is missing from " + blob_dir +
                              "; containers need the local store (run without --host)");
    }
    snapshot::ExtractingUnpacker unpacker =
        snapshot::ExtractingUnpacker::FromFile(blob, layer.diff_id);
    TRY(snapshotter->EnsureLayer(layer.diff_id, unpacker));
  }
  return Status::OK();
}

std::vector<std::string> LowerDirs(const std::string& snapshot_root,
                                   const std::vector<std::string>& chain) {
  std::vector<std::string> dirs;
  for (const std::string& diff_id : snapshot::OverlayLowerOrder(chain)) {
    dirs.push_back(snapshot_root + "/snapshots/" + HexOf(diff_id) + "/fs");
  }
  if (chain.empty()) dirs.push_back(snapshot_root + "/empty");
  return dirs;
}

Status MountRootfs(const std::string& snapshot_root, const std::vector<std::string>& chain,
                   const RootfsPaths& paths) {
  for (const std::string* dir : {&paths.upper, &paths.work, &paths.merged}) {
    TRY(MakeDirs(*dir, 0755));
  }
  // Lower dirs by the snapshotter's short links relative to its root (as the
  // snapshotter mounts them), so long chains fit in one page of options.
  std::string lowers;
  for (const std::string& diff_id : snapshot::OverlayLowerOrder(chain)) {
    if (!lowers.empty()) lowers += ':';
    lowers += "l/" + HexOf(diff_id).substr(0, 16);
  }
  if (chain.empty()) lowers = "empty";
  std::string options =
      "lowerdir=" + lowers + ",upperdir=" + paths.upper + ",workdir=" + paths.work;
  if (options.size() >= static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    return Status::InvalidArgument("the image has too many layers (" +
                                   std::to_string(chain.size()) + ") for one overlay mount");
  }
  Status result;
  // A thread with its own cwd, so the process's cwd never changes.
  std::thread mounter([&] {
    if (unshare(CLONE_FS) != 0) {
      result = ErrnoStatus("unshare(CLONE_FS) for", paths.merged);
    } else if (chdir(snapshot_root.c_str()) != 0) {
      result = ErrnoStatus("chdir", snapshot_root);
    } else if (mount("overlay", paths.merged.c_str(), "overlay", 0, options.c_str()) != 0) {
      result = Status::IOError("mount overlay at " + paths.merged + ": " + std::strerror(errno) +
                               "; containers need root and overlayfs");
    }
  });
  mounter.join();
  return result;
}

Status UnmountRootfs(const std::string& merged) {
  if (umount2(merged.c_str(), 0) == 0) return Status::OK();
  if (errno == EBUSY && umount2(merged.c_str(), MNT_DETACH) == 0) return Status::OK();
  if (errno == EINVAL || errno == ENOENT) return Status::OK();
  return ErrnoStatus("umount", merged);
}

bool IsMountPoint(const std::string& path) {
  std::ifstream mounts("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mounts, line)) {
    // "id parent major:minor root mount-point ..."
    std::istringstream fields(line);
    std::string skip, point;
    fields >> skip >> skip >> skip >> skip >> point;
    if (point == path) return true;
  }
  return false;
}

}  // namespace strata::cli::container
