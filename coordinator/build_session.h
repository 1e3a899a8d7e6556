#pragma once

// One build as its client sees it (docs/protocol.md "Builds and workers"):
// the peer and request id R that every BuildEvent, MissingBlobs and the
// BuildResult carry, the wait for a ContextUploaded after MissingBlobs,
// and the build's BuildScope (its events and uploads are this session's;
// Cancel stops the build).
//
// Thread-safe: events come from any of the build's threads, uploads are
// announced by the I/O thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "coordinator/build_scope.h"
#include "coordinator/build_step_runner.h"
#include "coordinator/outbox.h"
#include "image/digest.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

class BuildSession : public EventSink, public ContextUploader {
 public:
  // REQUIRES: outbox and clock outlive the session. `deadline_nanos`: see
  // BuildScope.
  BuildSession(std::string peer, uint64_t request_id, std::string build_id, Outbox& outbox,
               Clock& clock, std::chrono::milliseconds upload_timeout, int64_t deadline_nanos = 0)
      : peer_(std::move(peer)),
        request_id_(request_id),
        build_id_(std::move(build_id)),
        outbox_(outbox),
        clock_(clock),
        upload_timeout_(upload_timeout),
        scope_(build_id_, this, this, deadline_nanos) {}

  const std::string& peer() const { return peer_; }
  const std::string& build_id() const { return build_id_; }
  BuildScope& scope() { return scope_; }
  uint64_t request_id() const { return request_id_; }
  std::string key() const { return PeerRequestKey(peer_, request_id_); }
  // Sends `envelope` to the build's client.
  void Send(protocol::Envelope envelope) {
    outbox_.Send(Endpoint::kClient, peer_, std::move(envelope));
  }

  // A BuildEvent(R), with the event's step number.
  void OnEvent(const BuildEvent& e) override;

  // MissingBlobs(R), then waits for ContextUploaded(R) (or the upload
  // timeout, or the scope's cancel). One round at a time.
  Status Upload(const std::vector<Digest>& digests) EXCLUDES(round_mu_, mu_) override;

  // ContextUploaded(R) arrived: the waiting round ends.
  void ContextUploaded() EXCLUDES(mu_);
  // A context upload failed: the waiting round ends with `status` at its
  // ContextUploaded (the first failure wins).
  void UploadFailed(const Status& status) EXCLUDES(mu_);
  // Stops the build with `status`: the scope's Cancel (the waiting upload
  // round and every later one end with it, its jobs stop).
  void Cancel(const Status& status) { scope_.Cancel(status); }

  std::atomic<bool> finished{false};

 private:
  const std::string peer_;
  const uint64_t request_id_;
  const std::string build_id_;
  Outbox& outbox_;
  Clock& clock_;
  const std::chrono::milliseconds upload_timeout_;
  BuildScope scope_;
  Mutex round_mu_ ACQUIRED_BEFORE(mu_);  // held for a whole upload round
  Mutex mu_;
  CondVar changed_;  // uploaded_ changed, or the scope was cancelled
  bool uploaded_ GUARDED_BY(mu_) = false;
  Status upload_failure_ GUARDED_BY(mu_);
};

}  // namespace strata::coordinator
