#include "worker/cache_ledger.h"

#include <utility>

#include "common/logging.h"

namespace strata::worker {

CacheLedger::CacheLedger(snapshot::Snapshotter* snapshots, BlobCache* blobs, uint64_t max_bytes)
    : snapshots_(snapshots), blobs_(blobs), max_bytes_(max_bytes) {}

Status CacheLedger::Load() {
  ASSIGN_OR_RETURN(std::vector<std::string> layers, snapshots_->ListLayers());
  for (const std::string& diff_id : layers) {
    Result<uint64_t> bytes = snapshots_->LayerBytes(diff_id);
    if (!bytes.ok()) return bytes.status().Annotate("measure layer " + diff_id);
    Add(LayerKey(diff_id), Entry{true, diff_id, *bytes, 0}, false);
  }
  ASSIGN_OR_RETURN(std::vector<BlobCache::Cached> blobs, blobs_->ListCached());
  for (const BlobCache::Cached& blob : blobs) {
    Add(BlobKey(blob.digest), Entry{false, blob.digest.ToString(), blob.bytes, 0}, false);
  }
  EvictOverBudget();
  Usage now = usage();
  LOG(INFO) << "worker cache: " << now.layers << " layer(s) and " << now.blobs << " blob(s), "
            << now.bytes << " bytes"
            << (max_bytes_ > 0 ? " of " + std::to_string(max_bytes_) + " allowed" : "");
  return Status::OK();
}

CacheLedger::Hold::~Hold() {
  ledger_->Unpin(keys_);
  ledger_->EvictOverBudget();
}

void CacheLedger::Hold::Layer(const std::string& diff_id) {
  keys_.push_back(LayerKey(diff_id));
  ledger_->Pin(keys_.back());
}

void CacheLedger::Hold::Blob(const Digest& digest) {
  keys_.push_back(BlobKey(digest));
  ledger_->Pin(keys_.back());
}

std::unique_ptr<CacheLedger::Hold> CacheLedger::NewHold() {
  return std::unique_ptr<Hold>(new Hold(this));
}

void CacheLedger::Pin(const std::string& key) {
  MutexLock lock(mu_);
  ++pins_[key];
  auto it = entries_.find(key);
  if (it != entries_.end()) it->second.last_use = ++clock_;
}

void CacheLedger::Unpin(const std::vector<std::string>& keys) {
  MutexLock lock(mu_);
  for (const std::string& key : keys) {
    auto it = pins_.find(key);
    if (it != pins_.end() && --it->second <= 0) pins_.erase(it);
  }
}

void CacheLedger::Add(const std::string& key, Entry entry, bool used_now) {
  MutexLock lock(mu_);
  auto [it, inserted] = entries_.try_emplace(key, std::move(entry));
  if (inserted) bytes_ += it->second.bytes;
  if (used_now) it->second.last_use = ++clock_;
}

void CacheLedger::AddedLayer(const std::string& diff_id) {
  const std::string key = LayerKey(diff_id);
  {
    MutexLock lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      it->second.last_use = ++clock_;
      return;
    }
  }
  // Measured outside the lock: a large tree takes a while to walk.
  Result<uint64_t> bytes = snapshots_->LayerBytes(diff_id);
  if (bytes.status().IsNotFound()) return;  // not kept as a snapshot (a RUN's layer)
  if (!bytes.ok()) {
    LOG(WARN) << "worker cache: cannot measure layer " << diff_id << ": "
              << bytes.status().ToString();
  }
  Add(key, Entry{true, diff_id, bytes.value_or(0), 0}, true);
  EvictOverBudget();
}

void CacheLedger::AddedBlob(const Digest& digest) {
  Result<uint64_t> bytes = blobs_->CachedBytes(digest);
  if (!bytes.ok()) return;  // kept in the shared directory, not the cache
  Add(BlobKey(digest), Entry{false, digest.ToString(), *bytes, 0}, true);
  EvictOverBudget();
}

void CacheLedger::EvictOverBudget() {
  if (max_bytes_ == 0) return;
  MutexLock lock(mu_);
  EvictOverBudgetLocked();
}

void CacheLedger::EvictOverBudgetLocked() {
  while (bytes_ > max_bytes_) {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (pins_.count(it->first) > 0) continue;
      if (victim == entries_.end() || it->second.last_use < victim->second.last_use) victim = it;
    }
    if (victim == entries_.end()) return;  // all held by running jobs
    const Entry& entry = victim->second;
    // Under the lock, so no job can find the entry present and then lose it.
    Status removed = Status::OK();
    if (entry.layer) {
      removed = snapshots_->RemoveLayer(entry.id);
    } else if (Result<Digest> digest = Digest::Parse(entry.id); digest.ok()) {
      removed = blobs_->Remove(*digest);
    }
    if (!removed.ok()) {
      LOG(WARN) << "worker cache: cannot remove " << victim->first << ": " << removed.ToString();
      return;  // tried again at the next job's end
    }
    LOG(DEBUG) << "worker cache: evicted " << victim->first << " (" << entry.bytes << " bytes)";
    bytes_ -= entry.bytes;
    ++evicted_;
    entries_.erase(victim);
  }
}

CacheLedger::Usage CacheLedger::usage() {
  MutexLock lock(mu_);
  Usage out;
  for (const auto& [key, entry] : entries_) (entry.layer ? out.layers : out.blobs)++;
  out.bytes = bytes_;
  out.max_bytes = max_bytes_;
  out.evicted = evicted_;
  return out;
}

std::vector<std::string> CacheLedger::Layers() {
  MutexLock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_) {
    if (entry.layer) out.push_back(entry.id);
  }
  return out;
}

}  // namespace strata::worker
