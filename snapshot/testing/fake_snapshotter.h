#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "snapshot/snapshotter.h"

namespace strata::snapshot {

// A Snapshotter for tests of its callers: no mounts and no root needed.
// Layers are unpacked into `root`/layers/<hex>; Prepare copies the chain,
// base first, into `root`/mounts/<id>/merged, which is also reported as the
// upper dir (so it holds the whole tree, not a diff). Records the calls and
// can be told to fail the next one. Thread-safe.
class FakeSnapshotter : public Snapshotter {
 public:
  explicit FakeSnapshotter(std::string root) : root_(std::move(root)) {}

  Result<bool> HasLayer(const std::string& diff_id) override;
  Status EnsureLayer(const std::string& diff_id, LayerUnpacker& unpacker) override;
  Result<Mount> Prepare(const std::vector<std::string>& chain, const std::string& id) override;
  Status Release(const Mount& mount, Keep keep) override;
  Result<std::vector<std::string>> ListLayers() override;
  Result<uint64_t> LayerBytes(const std::string& diff_id) override;
  Status RemoveLayer(const std::string& diff_id) override;

  // The next call of any method returns `status` and does nothing else.
  void FailNextCall(Status status);
  // How many times an unpacker was called, per diff_id.
  int UnpackCount(const std::string& diff_id);
  // Ids prepared and not yet released.
  std::set<std::string> LiveMounts();
  // The diff_ids RemoveLayer deleted, in order.
  std::vector<std::string> Removed();

 private:
  // Takes the injected failure, if any. REQUIRES: mu_ held.
  Status TakeFailure();
  std::string LayerPath(const std::string& diff_id) const;

  const std::string root_;
  std::mutex mu_;
  Status next_failure_;                  // GUARDED_BY(mu_)
  std::map<std::string, int> unpacked_;  // GUARDED_BY(mu_)
  std::set<std::string> live_;           // GUARDED_BY(mu_)
  std::vector<std::string> removed_;     // GUARDED_BY(mu_)
};

}  // namespace strata::snapshot
