#pragma once

// How threads other than the I/O thread send envelopes: the I/O thread owns
// the Listeners (ZeroMQ sockets are single-thread), so builds and the worker
// pool hand it what to send through an Outbox.

#include <string>

#include "protocol/envelope.h"

namespace strata::coordinator {

enum class Endpoint { kClient, kWorker };

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Queues `envelope` for `peer` on `endpoint`; sent soon by the I/O thread
  // (a send failure is logged there). Thread-safe, never blocks on the
  // network.
  virtual void Send(Endpoint endpoint, std::string peer, protocol::Envelope envelope) = 0;
};

}  // namespace strata::coordinator
