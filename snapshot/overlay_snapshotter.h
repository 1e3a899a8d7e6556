#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "snapshot/snapshotter.h"

namespace strata::snapshot {

// Snapshotter over overlayfs. Needs root (mount(2)). On-disk layout under
// `root` (see docs/worker-runtime.md):
//
//   snapshots/<diff_id hex>/fs   one unpacked layer, written once
//   snapshots/<diff_id hex>/bytes  its size (LayerBytes), written on first ask
//   l/<16 hex>                   short symlink -> ../snapshots/<hex>/fs
//   tmp/<hex>-<pid>-<random>/fs  an unpack in progress (renamed into place)
//   mounts/<id>/{upper,work,merged}   one prepared root file system
//   empty/                       the lower directory of an empty chain
//
// The overlay options name the lower layers by their short links, relative
// to `root`, and the mount call runs on a thread that has its own working
// directory (unshare(CLONE_FS) + chdir(root)), so the process's cwd never
// changes and about 200 layers fit in the one-page option limit.
class OverlaySnapshotter : public Snapshotter {
 public:
  // Creates the layout under `root` (an absolute path) and clears
  // unpacks left behind by a crash: staging dirs whose process is gone.
  // Safe while other processes use the same root (the local build worker
  // and `strata container` share one): a live process's unpack is kept.
  static Result<std::unique_ptr<OverlaySnapshotter>> Open(const std::string& root);

  // OK when an overlay can be mounted under this root (root privileges,
  // kernel support, a backing file system that can hold an upper dir).
  Status Probe();

  // Unmounts every overlay mounted under mounts/ and removes the mounts'
  // directories (upper, work, merged); returns how many it removed. Only
  // for the one process that prepares mounts here: the worker, which holds
  // its root's lock, calls it at start for what a killed worker left
  // (`strata container` shares the layers but never prepares mounts).
  Result<int> RemoveAbandonedMounts();

  Result<bool> HasLayer(const std::string& diff_id) override;
  Status EnsureLayer(const std::string& diff_id, LayerUnpacker& unpacker) override;
  Result<Mount> Prepare(const std::vector<std::string>& chain, const std::string& id) override;
  // Idempotent: releasing an unmounted mount again (e.g. with kNothing after
  // kUpper) deletes what is left of it.
  Status Release(const Mount& mount, Keep keep) override;
  Result<std::vector<std::string>> ListLayers() override;
  // Measured once, then kept in snapshots/<hex>/bytes (a layer never changes).
  Result<uint64_t> LayerBytes(const std::string& diff_id) override;
  // The short link goes first, then the tree is renamed into tmp/ and
  // removed in the background: the layer is gone at once for HasLayer.
  Status RemoveLayer(const std::string& diff_id) override;

  // The unpacked tree of a layer (whether or not it exists).
  std::string LayerDir(const std::string& diff_hex) const;
  const std::string& root() const { return root_; }

 private:
  explicit OverlaySnapshotter(std::string root) : root_(std::move(root)) {}
  // The hex part of a "sha256:<hex>" diff_id, InvalidArgument otherwise.
  static Result<std::string> DiffHex(const std::string& diff_id);
  // Creates (or checks) the short link of an unpacked layer; returns its
  // path relative to root_.
  Result<std::string> EnsureShortLink(const std::string& diff_hex);

  std::string root_;
};

// The layers of `chain` (diff_ids, base first) as overlayfs stacks them:
// top-first, each layer once. Two steps can make byte-identical layers
// (the same COPY twice in a chain, a COPY --from a stage of the same
// chain), and overlayfs refuses a lower dir named twice (ELOOP, "Too many
// levels of symbolic links"). Keeping only the topmost copy gives the same
// merged tree: every path of the lower copy is in the upper copy too, and
// the upper copy's entries and whiteouts already win over all below.
std::vector<std::string> OverlayLowerOrder(const std::vector<std::string>& chain);

// Whether the staging dir `name` ("<hex>-<pid>-<random>") belongs to a
// process that no longer exists (or is of an older, pid-less form).
bool StagingOwnerGone(const std::string& name);
// Removes the abandoned staging dirs (StagingOwnerGone) under `tmp_dir`.
Status RemoveAbandonedStaging(const std::string& tmp_dir);

// A LayerUnpacker that copies a directory tree (tests, and local
// directories used as layers).
class DirectoryCopyUnpacker : public LayerUnpacker {
 public:
  explicit DirectoryCopyUnpacker(std::string source) : source_(std::move(source)) {}
  Status Unpack(const std::string& dir) override;

 private:
  std::string source_;
};

}  // namespace strata::snapshot
