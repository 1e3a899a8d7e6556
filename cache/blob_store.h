#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "image/digest.h"

namespace strata::cache {

// A sequential reader over one stored blob. Not thread-safe; one owner.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Reads up to `n` bytes into `buf`; returns how many were read, 0 at the end.
  virtual Result<size_t> Read(void* buf, size_t n) = 0;
  // The blob's total size in bytes.
  virtual uint64_t size() const = 0;
};

// Writes one new blob. The bytes become visible under their digest only when
// Commit succeeds; a writer destroyed without a successful Commit discards
// everything it wrote. Not thread-safe; one owner.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual Status Write(const void* data, size_t size) = 0;
  Status Write(std::string_view data) { return Write(data.data(), data.size()); }
  // Makes the blob durable and visible under its SHA-256 digest and returns it.
  // When `expected` is set and differs from the computed digest, fails with
  // Corruption and nothing becomes visible. Committing a blob that already
  // exists succeeds (same content, same name). The writer is finished
  // afterwards, whatever the outcome.
  virtual Result<Digest> Commit(std::optional<Digest> expected) = 0;
};

// A content-addressed store of immutable blobs named by their digest.
// Implementations are thread-safe: any number of readers and writers may run
// at once. A blob is either fully present under its name or absent.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  virtual Result<bool> Has(const Digest& digest) = 0;
  // NotFound when the blob is absent.
  virtual Result<uint64_t> Size(const Digest& digest) = 0;
  // NotFound when the blob is absent.
  virtual Result<std::unique_ptr<BlobReader>> Open(const Digest& digest) = 0;
  virtual Result<std::unique_ptr<BlobWriter>> Create() = 0;
  // A writer whose Commit makes the blob visible without waiting for the
  // disk: for many small blobs that are cheap to send again (build context
  // files), which then become durable together with one Sync(). Call Sync
  // before anything durable (a cache entry) depends on them: a power loss
  // before it may leave such a blob missing or damaged (blobs nothing
  // references are removed by the GC at the next open).
  virtual Result<std::unique_ptr<BlobWriter>> CreateDeferred() { return Create(); }
  // Makes every blob committed so far durable.
  virtual Status Sync() { return Status::OK(); }
  // Stores the content of the file at `path` (the file itself is left
  // untouched), verifying it against `expected` when set. Implementations avoid
  // copying bytes where the file system allows (reflink).
  virtual Result<Digest> PutFile(const std::string& path, std::optional<Digest> expected) = 0;
  // Moves the file at `path` into the store as blob `digest`, which the
  // caller computed from the bytes as it wrote them (a download hashed on
  // the way in); the file is gone afterwards, whatever the outcome. No
  // bytes are copied or read again where the file lies on the store's file
  // system (FileBlobStore: its tmp/ directory is the place). This default
  // copies and checks (PutFile), then removes `path`.
  virtual Result<Digest> AdoptFile(const std::string& path, const Digest& digest);
  // NotFound when the blob is absent.
  virtual Status Delete(const Digest& digest) = 0;
  // Where a committed blob lives as a file, for code that hands a file to a
  // library (a registry upload); nullopt when this store keeps no files.
  // The file is read-only and must not be changed.
  virtual std::optional<std::string> FilePath(const Digest& /*digest*/) { return std::nullopt; }
  // Every blob present, in digest order.
  virtual Result<std::vector<Digest>> List() = 0;

  // Reads a whole blob into memory. Meant for small blobs (manifests, configs).
  Result<std::string> ReadAll(const Digest& digest);
  // Stores `data` as one blob (Create + Write + Commit).
  Result<Digest> Put(std::string_view data, std::optional<Digest> expected = std::nullopt);
};

// Reads the blob `digest` from `store` and checks that its content hashes to
// its name. Corruption when it does not.
Status VerifyBlob(BlobStore& store, const Digest& digest);

}  // namespace strata::cache
