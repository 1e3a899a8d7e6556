#pragma once

// An Outbox for tests: keeps every envelope sent, and lets a test wait
// (at most 30 s) until what it expects has come.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/outbox.h"

namespace strata::coordinator::testing {

class RecordingOutbox : public Outbox {
 public:
  struct Sent {
    Endpoint endpoint;
    std::string peer;
    protocol::Envelope envelope;
  };

  void Send(Endpoint endpoint, std::string peer, protocol::Envelope envelope) override;

  // Everything sent so far.
  std::vector<Sent> sent() const;
  // Waits until `n` envelopes were sent (or 30 s passed); returns them all.
  std::vector<Sent> WaitForCount(size_t n) const;
  // Waits until an envelope of request `id` is a reply that ends it (an
  // Error, or one `is_end` accepts), or 30 s passed; returns the envelopes
  // of request `id`, in order.
  std::vector<protocol::Envelope> WaitEnd(
      uint64_t id, const std::function<bool(const protocol::Envelope&)>& is_end) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<Sent> sent_;  // GUARDED_BY(mu_)
};

}  // namespace strata::coordinator::testing
