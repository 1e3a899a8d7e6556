#include "coordinator/server.h"

#include "common/logging.h"

namespace strata::coordinator {

Status Server::Run() {
  const int64_t idle_nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.idle_timeout).count();
  int64_t last_request = clock_.NowUnixNanos();
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<protocol::Incoming> incoming,
                     listener_.Poll(options_.poll_interval));
    if (!incoming) {
      if (idle_nanos > 0 && clock_.NowUnixNanos() - last_request >= idle_nanos) {
        LOG(INFO) << "idle for " << options_.idle_timeout.count() << " ms: exiting";
        return Status::OK();
      }
      continue;
    }
    for (const protocol::Envelope& reply : handler_.Handle(incoming->envelope)) {
      Status s = listener_.Reply(incoming->peer, reply);
      if (!s.ok()) LOG(WARN) << "reply to " << protocol::PeerName(incoming->peer) << ": " << s.ToString();
    }
    // Measured after the work, so a long request does not count as idle time.
    last_request = clock_.NowUnixNanos();
    if (handler_.shutdown_requested()) {
      LOG(INFO) << "shutdown requested";
      return Status::OK();
    }
  }
}

}  // namespace strata::coordinator
