#pragma once

// How threads other than the I/O thread send envelopes: the I/O thread owns
// the Listeners (ZeroMQ sockets are single-thread), so builds and the worker
// pool hand it what to send through an Outbox.

#include <cstdint>
#include <string>

#include "protocol/envelope.h"

namespace strata::coordinator {

enum class Endpoint { kClient, kWorker };

// "PEER/R": names one request of one client among those in progress (a
// build, its uploads, a streamed archive).
inline std::string PeerRequestKey(const std::string& peer, uint64_t request_id) {
  return peer + "/" + std::to_string(request_id);
}

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Queues `envelope` for `peer` on `endpoint`; sent soon by the I/O thread
  // (a send failure is logged there). Thread-safe, never blocks on the
  // network.
  virtual void Send(Endpoint endpoint, std::string peer, protocol::Envelope envelope) = 0;
};

}  // namespace strata::coordinator
