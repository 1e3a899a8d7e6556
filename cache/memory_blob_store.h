#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cache/blob_store.h"

namespace strata::cache {

// A BlobStore in memory: the fake for tests. Same contract as FileBlobStore
// (verification on Commit, nothing visible before it). Thread-safe.
class MemoryBlobStore : public BlobStore {
 public:
  Result<bool> Has(const Digest& digest) override;
  Result<uint64_t> Size(const Digest& digest) override;
  Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) override;
  Result<std::unique_ptr<BlobWriter>> Create() override;
  Result<Digest> PutFile(const std::string& path, std::optional<Digest> expected) override;
  Status Delete(const Digest& digest) override;
  Result<std::vector<Digest>> List() override;

  // Replaces a blob's bytes without changing its name, to test corruption
  // detection.
  void CorruptForTest(const Digest& digest, std::string bytes);

 private:
  friend class MemoryBlobWriter;
  void Insert(const Digest& digest, std::string bytes);

  std::mutex mu_;
  std::map<Digest, std::shared_ptr<const std::string>> blobs_;  // GUARDED_BY(mu_)
};

}  // namespace strata::cache
