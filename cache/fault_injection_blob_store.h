#pragma once

#include <array>
#include <memory>
#include <mutex>

#include "cache/blob_store.h"

namespace strata::cache {

// The operations a FaultInjectionBlobStore can make fail.
enum class BlobFault {
  kCreate = 0,
  kWrite = 1,
  // Fails before the blob is published (for FileBlobStore: before the rename),
  // so nothing becomes visible.
  kCommit = 2,
  // Publishes the blob, then reports an IOError anyway: the "rename done, the
  // directory fsync failed" case. Leaves an unreferenced blob behind.
  kCommitAfterPublish = 3,
  kPutFile = 4,
  kDelete = 5,
  kOpen = 6,
};
inline constexpr int kBlobFaultCount = 7;

// A BlobStore that forwards to another and fails chosen calls with IOError,
// to prove that callers leave everything as it was when the store fails
// (leveldb's fault_injection_test shows the idea). Thread-safe.
class FaultInjectionBlobStore : public BlobStore {
 public:
  explicit FaultInjectionBlobStore(std::unique_ptr<BlobStore> base) : base_(std::move(base)) {}

  // The `n`th call of `op` from now on (1 = the next one) fails; with
  // `sticky`, that call and every later one fail.
  void FailNth(BlobFault op, int n, bool sticky = false);
  // Stops all injected failures (counters keep running).
  void Clear();
  // How many calls of `op` were made so far (failed ones included).
  int Calls(BlobFault op) const;

  BlobStore& base() { return *base_; }

  Result<bool> Has(const Digest& digest) override { return base_->Has(digest); }
  Result<uint64_t> Size(const Digest& digest) override { return base_->Size(digest); }
  Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) override;
  Result<std::unique_ptr<BlobWriter>> Create() override;
  Result<Digest> PutFile(const std::string& path, std::optional<Digest> expected) override;
  // Fails as kPutFile does, removing `path` as the contract says.
  Result<Digest> AdoptFile(const std::string& path, const Digest& digest) override;
  Status Delete(const Digest& digest) override;
  Result<std::vector<Digest>> List() override { return base_->List(); }
  std::optional<std::string> FilePath(const Digest& digest) override {
    return base_->FilePath(digest);
  }

  // Counts one call of `op`; returns the injected error when it must fail.
  Status Hit(BlobFault op);

 private:
  struct Plan {
    int calls = 0;
    int fail_at = 0;  // 0: never
    bool sticky = false;
  };

  std::unique_ptr<BlobStore> base_;
  mutable std::mutex mu_;
  std::array<Plan, kBlobFaultCount> plans_;  // GUARDED_BY(mu_)
};

}  // namespace strata::cache
