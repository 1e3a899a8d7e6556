#pragma once

// The root file system of a container: the image's layers unpacked once in
// the snapshot store shared with the local build worker
// (snapshot::OverlaySnapshotter at ROOT/worker/snap, the local build worker's), stacked with
// overlayfs under the container's own upper dir, which survives stop/start
// (Snapshotter::Prepare always makes a fresh one, so the mount is done here).

#include <string>
#include <vector>

#include "common/result.h"

namespace strata::cli::container {

// One layer of the image, as ResolveImage returns it.
struct LayerBlobRef {
  std::string digest;   // "sha256:<hex>" of the stored blob
  std::string diff_id;  // "sha256:<hex>" of its tar
};

// Unpacks the layers that are not in the snapshot store yet, reading their
// blobs from `blob_dir` (ROOT/store/blobs/sha256). Safe against other
// processes unpacking the same layers.
Status EnsureLayers(const std::string& snapshot_root, const std::string& blob_dir,
                    const std::vector<LayerBlobRef>& layers);

// The unpacked directories of `chain` (base first), top-first as overlayfs
// stacks them.
std::vector<std::string> LowerDirs(const std::string& snapshot_root,
                                   const std::vector<std::string>& chain);

struct RootfsPaths {
  std::string upper, work, merged;  // absolute
};

// Mounts the overlay of `chain` with `paths.upper` on top at `paths.merged`
// (creating the three directories). REQUIRES: every layer is unpacked.
Status MountRootfs(const std::string& snapshot_root, const std::vector<std::string>& chain,
                   const RootfsPaths& paths);

// Unmounts `merged` (lazily when busy); OK when it is not mounted.
Status UnmountRootfs(const std::string& merged);

// Whether something is mounted at `path`.
bool IsMountPoint(const std::string& path);

}  // namespace strata::cli::container
