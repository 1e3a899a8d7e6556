#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/digest.h"
#include "protocol/connection.h"

namespace strata::worker {

// Brings a blob's bytes from elsewhere (the coordinator). The seam that lets
// tests fake the network.
class BlobFetcher {
 public:
  virtual ~BlobFetcher() = default;
  // Calls `write` with the blob's bytes in order (any number of pieces).
  // NotFound when the other side has no such blob; an error from `write`
  // stops the transfer and is returned. The caller checks the digest.
  virtual Status Fetch(const Digest& digest,
                       const std::function<Status(std::string_view)>& write) = 0;
};

// BlobGet over a worker's Connection (docs/protocol.md): a request answered
// by BlobPut chunks with that request_id (offsets contiguous, the last with
// last=true) or an Error. The coordinator answers at most a window
// (kBlobGetWindow, 8 MiB); while BlobPut.total_size says there is more,
// the next BlobGet asks from where the answer ended. Replies to other requests are skipped. Uses the
// Connection from the calling thread only; not owned.
class ConnectionBlobFetcher : public BlobFetcher {
 public:
  // `timeout`: the longest wait for one chunk.
  ConnectionBlobFetcher(protocol::Connection* connection, std::chrono::milliseconds timeout)
      : connection_(connection), timeout_(timeout) {}
  Status Fetch(const Digest& digest, const std::function<Status(std::string_view)>& write) override;

 private:
  protocol::Connection* connection_;
  std::chrono::milliseconds timeout_;
};

// The worker's blobs as local files, by digest:
//  1. `shared_dir`/sha256/<hex> (--blob-dir: the local coordinator's store,
//     read-only for the worker), when present;
//  2. `cache_dir`/sha256/<hex>, the worker's own cache;
//  3. fetched with a BlobFetcher into `cache_dir`/tmp, its SHA-256 checked,
//     then renamed into the cache, so a cached file is always whole and
//     verified. A mismatch is Corruption and leaves nothing behind.
// Thread-safe: concurrent fetches of one digest each write their own temp
// file and the renames replace each other with identical bytes.
class BlobCache {
 public:
  // Creates `cache_dir` (absolute) and its sha256/ and tmp/ folders, and
  // clears temp files a crash left. `shared_dir` "" = none.
  static Result<std::unique_ptr<BlobCache>> Open(std::string cache_dir, std::string shared_dir);

  // The local path of `digest`, fetching it with `fetcher` when no local
  // copy exists.
  Result<std::string> Get(const Digest& digest, BlobFetcher& fetcher);

  // The local path of `digest` when there is one (shared dir first).
  std::optional<std::string> FindLocal(const Digest& digest) const;

  // Whether the shared blob directory holds `digest` (a layer that needs no
  // upload).
  bool InSharedDir(const Digest& digest) const;

  // Moves the file at `path` (whose content is `digest`, the caller
  // vouches for it; on the same file system) into the cache.
  Status Adopt(const Digest& digest, const std::string& path);

  // The blobs of the worker's own cache (never the shared dir's).
  struct Cached {
    Digest digest;
    uint64_t bytes = 0;
  };
  Result<std::vector<Cached>> ListCached() const;
  // The size of the cache's own copy of `digest`; NotFound when it has none.
  Result<uint64_t> CachedBytes(const Digest& digest) const;
  // Deletes the cache's own copy of `digest` (OK when there is none). A
  // reader that opened it keeps reading it.
  Status Remove(const Digest& digest);

  const std::string& cache_dir() const { return cache_dir_; }
  const std::string& shared_dir() const { return shared_dir_; }

 private:
  BlobCache(std::string cache_dir, std::string shared_dir)
      : cache_dir_(std::move(cache_dir)), shared_dir_(std::move(shared_dir)) {}
  std::string CachePath(const Digest& digest) const;

  std::string cache_dir_;
  std::string shared_dir_;
};

}  // namespace strata::worker
