#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "image/digest.h"
#include "snapshot/snapshotter.h"
#include "worker/blob_cache.h"

namespace strata::worker {

// What a worker keeps for later jobs (docs/cluster.md, "What a worker
// keeps"): its unpacked layers (the snapshotter) and its cached blobs
// (BlobCache's own directory), each with its bytes and when a job last used
// it. With a budget (--max-cache), the least recently used entries that no
// running job holds are removed until the total fits; an entry a job holds
// is never removed, so a job may take the total over the budget while it
// runs. Without one (0) nothing is removed: the counts are only reported
// (Heartbeat, `strata worker ls`).
//
// A job takes a Hold on what it will use *before* it looks for it, so a
// layer found present stays present until the job ends. Thread-safe.
class CacheLedger {
 public:
  // Not owned; both outlive the ledger.
  CacheLedger(snapshot::Snapshotter* snapshots, BlobCache* blobs, uint64_t max_bytes);

  // Counts what the snapshotter and the cache hold already (a restarted
  // worker's). Those entries count as less recently used than any a job
  // touches afterwards; then evicts what is over the budget.
  Status Load();

  // A running job's hold on entries, released by its destructor (which
  // then evicts what went over the budget meanwhile).
  class Hold {
   public:
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

    void Layer(const std::string& diff_id);
    void Blob(const Digest& digest);

   private:
    friend class CacheLedger;
    explicit Hold(CacheLedger* ledger) : ledger_(ledger) {}
    CacheLedger* ledger_;
    std::vector<std::string> keys_;
  };
  std::unique_ptr<Hold> NewHold();

  // A layer was unpacked, or a blob stored in the cache: measured and
  // counted (once), marked used now. Then evicts what is over the budget.
  void AddedLayer(const std::string& diff_id);
  void AddedBlob(const Digest& digest);

  struct Usage {
    size_t layers = 0;
    size_t blobs = 0;
    uint64_t bytes = 0;      // both together
    uint64_t max_bytes = 0;  // 0: no budget
    uint64_t evicted = 0;    // entries removed since start
  };
  Usage usage();
  // The diff_ids of the layers held (Heartbeat.snapshots, for locality).
  std::vector<std::string> Layers();

 private:
  struct Entry {
    bool layer = false;
    std::string id;  // diff_id or blob digest
    uint64_t bytes = 0;
    uint64_t last_use = 0;
  };
  static std::string LayerKey(const std::string& diff_id) { return "layer " + diff_id; }
  static std::string BlobKey(const Digest& digest) { return "blob " + digest.ToString(); }
  void Pin(const std::string& key);
  void Unpin(const std::vector<std::string>& keys);
  // Counts `entry` unless `key` is counted already; `used_now` marks it
  // most recently used (else a new entry counts as least recently used).
  void Add(const std::string& key, Entry entry, bool used_now);
  // Removes least recently used, unpinned entries while over the budget.
  void EvictOverBudget();
  void EvictOverBudgetLocked() REQUIRES(mu_);

  snapshot::Snapshotter* snapshots_;
  BlobCache* blobs_;
  const uint64_t max_bytes_;

  Mutex mu_;
  std::map<std::string, Entry> entries_ GUARDED_BY(mu_);
  std::map<std::string, int> pins_ GUARDED_BY(mu_);
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
  uint64_t clock_ GUARDED_BY(mu_) = 0;  // use order, not time
  uint64_t evicted_ GUARDED_BY(mu_) = 0;
};

}  // namespace strata::worker
