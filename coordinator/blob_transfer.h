#pragma once

// Blobs over the wire (docs/protocol.md "Builds and workers"): BlobPut
// chunks written into the store with the digest checked at the last one,
// and BlobGet answered with chunks read from the store.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cache/blob_store.h"
#include "common/result.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

inline constexpr size_t kBlobChunkSize = 1 << 20;  // 1 MiB

// Assembles uploads, each keyed by the caller (e.g. endpoint + peer +
// request_id: a sender may upload several blobs at once on distinct ids,
// and one after another on one id). Thread-compatible.
class BlobReceiver {
 public:
  // `deferred`: commit without waiting for the disk (BlobStore::CreateDeferred);
  // the owner calls BlobStore::Sync before the blobs are relied on.
  explicit BlobReceiver(cache::BlobStore& blobs, bool deferred = false)
      : blobs_(blobs), deferred_(deferred) {}

  // Writes one chunk. nullopt while the blob is incomplete; at `last` the
  // committed digest, or the failure: Corruption on a digest mismatch,
  // InvalidArgument for a malformed digest or an offset that is not where
  // the previous chunk ended. A failed upload is forgotten (the sender may
  // start again at offset 0).
  std::optional<Result<Digest>> Put(const std::string& key, const v1::BlobPut& put);
  // Drops unfinished uploads whose key starts with `prefix` (a peer left).
  void Abandon(const std::string& prefix);
  size_t pending() const { return uploads_.size(); }

 private:
  struct Upload {
    Digest expected;
    uint64_t written = 0;
    std::unique_ptr<cache::BlobWriter> writer;
  };
  cache::BlobStore& blobs_;
  bool deferred_;
  std::map<std::string, Upload> uploads_;
};

// Answers BlobGet{digest, offset, length} of `request_id` with BlobPut
// chunks of at most 1 MiB (the last with last=true; an empty range is one
// empty chunk) through `send`, or with one Error (NotFound when absent).
void ServeBlobGet(cache::BlobStore& blobs, uint64_t request_id, const v1::BlobGet& get,
                  const std::function<void(protocol::Envelope)>& send);

}  // namespace strata::coordinator
