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
#include "common/clock.h"
#include "common/result.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

inline constexpr size_t kBlobChunkSize = 1 << 20;  // 1 MiB
// The most one BlobGet is answered with: a requester wanting more asks
// again from where the answer ended (BlobPut.total_size says how much there
// is). Flow control: no reply puts more than this in the I/O thread's
// hands or the socket's queue, however large the blob.
inline constexpr uint64_t kBlobGetWindow = 8 * kBlobChunkSize;

// Assembles uploads, each keyed by the caller (e.g. endpoint + peer +
// request_id: a sender may upload several blobs at once on distinct ids,
// and one after another on one id). An unfinished upload holds a temp file
// and its descriptor: its owner drops those of a sender gone (Abandon) and
// those nobody sent to for a while (ExpireIdle). Thread-compatible.
class BlobReceiver {
 public:
  // `deferred`: commit without waiting for the disk (BlobStore::CreateDeferred);
  // the owner calls BlobStore::Sync before the blobs are relied on.
  // REQUIRES: blobs and clock outlive the receiver.
  BlobReceiver(cache::BlobStore& blobs, Clock& clock, bool deferred = false)
      : blobs_(blobs), clock_(clock), deferred_(deferred) {}

  // Writes one chunk. nullopt while the blob is incomplete; at `last` the
  // committed digest, or the failure: Corruption on a digest mismatch,
  // InvalidArgument for a malformed digest or an offset that is not where
  // the previous chunk ended. A failed upload is forgotten (the sender may
  // start again at offset 0).
  std::optional<Result<Digest>> Put(const std::string& key, const v1::BlobPut& put);
  // Drops unfinished uploads whose key starts with `prefix` (a peer left);
  // returns how many.
  size_t Abandon(const std::string& prefix);
  // Drops unfinished uploads that got no chunk for `max_idle_nanos`
  // (monotonic clock); returns how many.
  size_t ExpireIdle(int64_t max_idle_nanos);
  size_t pending() const { return uploads_.size(); }

 private:
  struct Upload {
    Digest expected;
    uint64_t written = 0;
    std::unique_ptr<cache::BlobWriter> writer;  // destroyed uncommitted: its temp file goes
    int64_t touched_nanos = 0;                  // the last chunk, monotonic
  };
  cache::BlobStore& blobs_;
  Clock& clock_;
  bool deferred_;
  std::map<std::string, Upload> uploads_;
};

// Answers BlobGet{digest, offset, length} of `request_id` with BlobPut
// chunks of at most 1 MiB, of at most kBlobGetWindow bytes in all (the
// last with last=true; an empty range is one empty chunk) through `send`,
// or with one Error (NotFound when absent).
void ServeBlobGet(cache::BlobStore& blobs, uint64_t request_id, const v1::BlobGet& get,
                  const std::function<void(protocol::Envelope)>& send);

}  // namespace strata::coordinator
