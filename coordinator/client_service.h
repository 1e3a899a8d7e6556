#pragma once

// A service that answers some client requests off the I/O thread (a push,
// later a pull): the Server hands it the envelopes it claims, and it replies
// through the Outbox when its own threads are done.

#include <string>

#include "protocol/envelope.h"

namespace strata::coordinator {

class ClientService {
 public:
  virtual ~ClientService() = default;
  // Whether `envelope` from the client endpoint is this service's. Pure.
  virtual bool Handles(const protocol::Envelope& envelope) const = 0;
  // Called by the I/O thread only; must not block on the network.
  virtual void HandleClient(const std::string& peer, const protocol::Envelope& envelope) = 0;
  // While true the coordinator is not idle. Thread-safe.
  virtual bool busy() const = 0;
  // Called by the I/O thread every poll interval (at most 200 ms apart):
  // time-based clean-up.
  virtual void Tick() {}
  // The client `peer` went away (a send found it disconnected, or it read
  // nothing for too long): drop what it left half done. I/O thread.
  virtual void OnClientGone(const std::string& peer) { (void)peer; }
};

}  // namespace strata::coordinator
