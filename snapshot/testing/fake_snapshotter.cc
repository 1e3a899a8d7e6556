#include "snapshot/testing/fake_snapshotter.h"

#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::snapshot {

Status FakeSnapshotter::TakeFailure() {
  Status failure = next_failure_;
  next_failure_ = Status::OK();
  return failure;
}

std::string FakeSnapshotter::LayerPath(const std::string& diff_id) const {
  std::string hex = diff_id.substr(diff_id.find(':') + 1);
  return root_ + "/layers/" + hex;
}

void FakeSnapshotter::FailNextCall(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  next_failure_ = std::move(status);
}

int FakeSnapshotter::UnpackCount(const std::string& diff_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = unpacked_.find(diff_id);
  return it == unpacked_.end() ? 0 : it->second;
}

std::set<std::string> FakeSnapshotter::LiveMounts() {
  std::lock_guard<std::mutex> lock(mu_);
  return live_;
}

Result<bool> FakeSnapshotter::HasLayer(const std::string& diff_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  return unpacked_.count(diff_id) > 0;
}

Status FakeSnapshotter::EnsureLayer(const std::string& diff_id, LayerUnpacker& unpacker) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  if (unpacked_.count(diff_id) > 0) return Status::OK();
  std::string dir = LayerPath(diff_id);
  TRY(MakeDirs(dir, 0755));
  Status unpacked = unpacker.Unpack(dir);
  if (!unpacked.ok()) {
    RemoveTree(dir).PermitUncheckedError();
    return unpacked;
  }
  unpacked_[diff_id]++;
  return Status::OK();
}

Result<Mount> FakeSnapshotter::Prepare(const std::vector<std::string>& chain,
                                       const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  if (live_.count(id) > 0) return Status::AlreadyExists("fake mount \"" + id + "\" is in use");
  Mount mount;
  mount.id = id;
  mount.target = root_ + "/mounts/" + id + "/merged";
  mount.upper_dir = mount.target;
  mount.work_dir = root_ + "/mounts/" + id + "/work";
  TRY(MakeDirs(mount.target, 0755));
  TRY(MakeDirs(mount.work_dir, 0755));
  for (const std::string& diff_id : chain) {
    if (unpacked_.count(diff_id) == 0) {
      return Status::NotFound("fake: layer " + diff_id + " is not unpacked");
    }
    TRY(CopyTree(LayerPath(diff_id), mount.target));
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    mount.lower_dirs.push_back(LayerPath(*it));
  }
  live_.insert(id);
  return mount;
}

Status FakeSnapshotter::Release(const Mount& mount, Keep keep) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  live_.erase(mount.id);
  TRY(RemoveTree(mount.work_dir));
  if (keep == Keep::kNothing) TRY(RemoveTree(root_ + "/mounts/" + mount.id));
  return Status::OK();
}

Result<std::vector<std::string>> FakeSnapshotter::ListLayers() {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  std::vector<std::string> out;
  for (const auto& [diff_id, count] : unpacked_) out.push_back(diff_id);
  return out;
}

Result<uint64_t> FakeSnapshotter::LayerBytes(const std::string& diff_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  if (unpacked_.count(diff_id) == 0) return Status::NotFound("fake: layer " + diff_id);
  return TreeBytes(LayerPath(diff_id));
}

Status FakeSnapshotter::RemoveLayer(const std::string& diff_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(TakeFailure());
  if (unpacked_.erase(diff_id) == 0) return Status::OK();
  removed_.push_back(diff_id);
  return RemoveTree(LayerPath(diff_id));
}

std::vector<std::string> FakeSnapshotter::Removed() {
  std::lock_guard<std::mutex> lock(mu_);
  return removed_;
}

}  // namespace strata::snapshot
