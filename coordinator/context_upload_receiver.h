#pragma once

// The client's half of a build's context upload (docs/protocol.md "Builds
// and workers"): the BlobPut chunks of context files, stored without
// waiting for the disk, and ContextUploaded, which makes them durable with
// one sync and wakes the build waiting in BuildSession::Upload. A BlobPut
// on a request id that is no running build is a plain upload, answered
// with an Ack (or an Error) at its last chunk.
//
// Thread-compatible: the I/O thread calls it.

#include <string>

#include "cache/blob_store.h"
#include "coordinator/blob_transfer.h"
#include "coordinator/build_session_table.h"
#include "coordinator/outbox.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

class ContextUploadReceiver {
 public:
  // REQUIRES: all outlive the receiver.
  ContextUploadReceiver(cache::BlobStore& blobs, BuildSessionTable& sessions, Outbox& outbox,
                        Clock& clock)
      : blobs_(blobs),
        sessions_(sessions),
        outbox_(outbox),
        receiver_(blobs, clock, /*deferred=*/true) {}

  void OnBlobPut(const std::string& peer, const protocol::Envelope& envelope);
  void OnContextUploaded(const std::string& peer, const protocol::Envelope& envelope);
  // Client `peer` is gone: its unfinished uploads (temp files, descriptors)
  // are dropped. Returns how many.
  size_t OnClientGone(const std::string& peer) { return receiver_.Abandon("c/" + peer + "/"); }
  // Drops uploads idle for `max_idle_nanos`.
  size_t ExpireIdleUploads(int64_t max_idle_nanos) { return receiver_.ExpireIdle(max_idle_nanos); }
  size_t pending_uploads() const { return receiver_.pending(); }

 private:
  cache::BlobStore& blobs_;
  BuildSessionTable& sessions_;
  Outbox& outbox_;
  BlobReceiver receiver_;  // context files, synced at ContextUploaded
};

}  // namespace strata::coordinator
