#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace strata::snapshot {

// Fills an empty directory with the file tree of one layer (image/ provides
// the tar extraction; tests copy a directory). Called at most once per
// snapshot creation, from the thread that called EnsureLayer.
class LayerUnpacker {
 public:
  virtual ~LayerUnpacker() = default;
  // REQUIRES: `dir` exists and is empty. On error the directory is discarded.
  virtual Status Unpack(const std::string& dir) = 0;
};

// A mounted root file system for one container: the layers of a chain,
// read-only, under a fresh writable upper directory.
struct Mount {
  std::string id;                       // the caller's name for it, unique among live mounts
  std::string target;                   // where the merged tree is mounted (the rootfs)
  std::string upper_dir;                // the writable layer: the container's changes,
                                        // with overlayfs whiteouts (char 0/0) for deletions
  std::string work_dir;                 // overlayfs scratch space
  std::vector<std::string> lower_dirs;  // top-first, as given to overlayfs
};

// What Release keeps on disk.
enum class Keep {
  kNothing,  // unmount and delete upper and work
  kUpper,    // unmount and keep upper_dir (e.g. to diff it into a layer)
};

// Stores unpacked layers by diff_id and stacks them into container root file
// systems. Implementations are thread-safe.
class Snapshotter {
 public:
  virtual ~Snapshotter() = default;

  // Whether the layer `diff_id` ("sha256:<hex>") is unpacked.
  virtual Result<bool> HasLayer(const std::string& diff_id) = 0;

  // Makes sure the layer `diff_id` is unpacked, calling `unpacker` only when
  // it is not. Concurrent calls for one diff_id are safe: one result wins
  // and the others are discarded. The directory is never visible half full.
  virtual Status EnsureLayer(const std::string& diff_id, LayerUnpacker& unpacker) = 0;

  // Mounts the layers `chain` (diff_ids, base first as in an image config's
  // rootfs.diff_ids; may be empty for FROM scratch) under a fresh upper
  // directory. REQUIRES: every layer of the chain is unpacked; `id` is not
  // the id of a mount that has not been released (AlreadyExists otherwise).
  virtual Result<Mount> Prepare(const std::vector<std::string>& chain, const std::string& id) = 0;

  // Unmounts `mount` and deletes what `keep` does not keep. A kept upper
  // directory belongs to the caller from then on (delete it with
  // RemoveTree when done).
  virtual Status Release(const Mount& mount, Keep keep) = 0;

  // The diff_ids of the layers unpacked here.
  virtual Result<std::vector<std::string>> ListLayers() = 0;

  // The bytes the unpacked layer `diff_id` takes (TreeBytes of its tree);
  // NotFound when it is not unpacked.
  virtual Result<uint64_t> LayerBytes(const std::string& diff_id) = 0;

  // Deletes the unpacked layer `diff_id` (OK when it is not there). The
  // caller makes sure no prepared mount stacks it, and that nobody calls
  // EnsureLayer for it meanwhile (worker/cache_ledger.h pins what jobs use).
  virtual Status RemoveLayer(const std::string& diff_id) = 0;
};

}  // namespace strata::snapshot
