#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "cache/blob_store.h"

namespace strata::cache {

// A BlobStore on a local file system:
//
//   <root>/blobs/sha256/<hex>   committed blobs, read-only (0444)
//   <root>/tmp/<unique>         blobs being written
//
// A blob is written to tmp/, fsynced, its digest verified, then renamed into
// blobs/sha256/ and that directory fsynced, so a partial blob is never visible
// under its digest name, also across a crash. Opening the store removes what
// a previous process left in tmp/.
//
// REQUIRES: one process at a time uses a root (the caller holds a lock on it;
// cache::Store takes the metadata database's lock first). Thread-safe.
class FileBlobStore : public BlobStore {
 public:
  // Creates the directories when missing and clears tmp/.
  static Result<std::unique_ptr<FileBlobStore>> Open(const std::string& root);

  Result<bool> Has(const Digest& digest) override;
  Result<uint64_t> Size(const Digest& digest) override;
  Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) override;
  Result<std::unique_ptr<BlobWriter>> Create() override;
  Result<std::unique_ptr<BlobWriter>> CreateDeferred() override;
  Status Sync() override;  // syncfs(2) of the store's file system
  Result<Digest> PutFile(const std::string& path, std::optional<Digest> expected) override;
  // Renames the file into place (read-only, fsynced); fails where `path`
  // is on another file system.
  Result<Digest> AdoptFile(const std::string& path, const Digest& digest) override;
  Status Delete(const Digest& digest) override;
  Result<std::vector<Digest>> List() override;
  std::optional<std::string> FilePath(const Digest& digest) override { return BlobPath(digest); }

  // The path a committed blob has (whether or not it exists).
  std::string BlobPath(const Digest& digest) const;
  const std::string& root() const { return root_; }

 private:
  explicit FileBlobStore(std::string root) : root_(std::move(root)) {}
  Status CheckDigest(const Digest& digest) const;
  // Opens a new, uniquely named file in tmp/; returns its fd and path.
  Result<std::pair<int, std::string>> CreateTemp();

  std::string root_;
  std::atomic<uint64_t> next_temp_{0};

  friend class FileBlobWriter;
};

}  // namespace strata::cache
