#include "coordinator/testing/recording_outbox.h"

#include <chrono>
#include <utility>

namespace strata::coordinator::testing {

constexpr auto kWait = std::chrono::seconds(30);

void RecordingOutbox::Send(Endpoint endpoint, std::string peer, protocol::Envelope envelope) {
  std::lock_guard lock(mu_);
  sent_.push_back({endpoint, std::move(peer), std::move(envelope)});
  changed_.notify_all();
}

std::vector<RecordingOutbox::Sent> RecordingOutbox::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

std::vector<RecordingOutbox::Sent> RecordingOutbox::WaitForCount(size_t n) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, kWait, [&] { return sent_.size() >= n; });
  return sent_;
}

std::vector<protocol::Envelope> RecordingOutbox::WaitEnd(
    uint64_t id, const std::function<bool(const protocol::Envelope&)>& is_end) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, kWait, [&] {
    for (const Sent& s : sent_) {
      if (s.envelope.request_id() == id && (s.envelope.has_error() || is_end(s.envelope))) {
        return true;
      }
    }
    return false;
  });
  std::vector<protocol::Envelope> out;
  for (const Sent& s : sent_) {
    if (s.envelope.request_id() == id) out.push_back(s.envelope);
  }
  return out;
}

}  // namespace strata::coordinator::testing
