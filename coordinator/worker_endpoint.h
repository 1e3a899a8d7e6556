#pragma once

// What a coordinator answers on its worker endpoint (docs/protocol.md
// "Builds and workers"): RegisterWorker, Heartbeat, JobLog and JobResult go
// to the WorkerPool; BlobGet serves layers and context files from the
// store; BlobPut takes a worker's layer upload, acked at its last chunk;
// Ping answers with the versions. Anything else is refused with an Error.
//
// Thread-compatible: the I/O thread calls it.

#include <string>

#include "cache/blob_store.h"
#include "coordinator/blob_transfer.h"
#include "coordinator/outbox.h"
#include "coordinator/worker_pool.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

class WorkerEndpoint {
 public:
  // REQUIRES: all outlive the endpoint.
  WorkerEndpoint(cache::BlobStore& blobs, WorkerPool& pool, Outbox& outbox, Clock& clock)
      : blobs_(blobs), pool_(pool), outbox_(outbox), receiver_(blobs, clock) {}

  // Every message of the worker endpoint; replies go through the Outbox.
  void Handle(const std::string& peer, const protocol::Envelope& envelope);
  // Drops layer uploads idle for `max_idle_nanos` (a worker died mid-upload).
  size_t ExpireIdleUploads(int64_t max_idle_nanos) { return receiver_.ExpireIdle(max_idle_nanos); }

 private:
  cache::BlobStore& blobs_;
  WorkerPool& pool_;
  Outbox& outbox_;
  BlobReceiver receiver_;  // worker uploads (layers)
};

}  // namespace strata::coordinator
