#include "cli/reply_stream.h"

#include <chrono>
#include <string>

#include "cli/build_progress.h"

namespace strata::cli {

using namespace std::chrono_literals;

Status ReceiveReplies(
    protocol::Connection& connection, uint64_t id, std::string_view what,
    const std::function<std::optional<Status>(const protocol::Envelope&)>& on_message) {
  int64_t last_heard = SteadyNowMs();
  // A ping at once tells which coordinator process took the request: a
  // later Pong from another one means it restarted, and the request died
  // with the old one (the new one would answer pings forever).
  uint64_t ping_id = connection.NextRequestId();
  {
    protocol::Envelope ping = protocol::NewEnvelope(ping_id);
    ping.mutable_ping();
    TRY(connection.Send(ping));
  }
  int64_t coordinator_pid = 0;
  for (;;) {
    Result<protocol::Envelope> in = connection.Receive(1s);
    if (!in.ok()) {
      if (in.status().code() != StatusCode::kTimedOut) return in.status();
      // Silence: make sure the coordinator is still there.
      int64_t silent = SteadyNowMs() - last_heard;
      if (ping_id == 0 && silent > 20'000) {
        ping_id = connection.NextRequestId();
        protocol::Envelope ping = protocol::NewEnvelope(ping_id);
        ping.mutable_ping();
        TRY(connection.Send(ping));
      } else if (ping_id != 0 && silent > 40'000) {
        return Status::Unavailable("the coordinator at " + connection.endpoint() +
                                   " stopped answering during the " + std::string(what) +
                                   "; see its log");
      }
      continue;
    }
    last_heard = SteadyNowMs();
    if (in->request_id() == ping_id && ping_id != 0 && in->has_pong()) {
      ping_id = 0;
      if (coordinator_pid == 0) coordinator_pid = in->pong().pid();
      if (in->pong().pid() != coordinator_pid) {
        return Status::Unavailable("the coordinator at " + connection.endpoint() +
                                   " restarted during the " + std::string(what) +
                                   ", which was lost with it; run it again");
      }
      continue;
    }
    if (in->request_id() != id) continue;  // a late reply to something else
    if (std::optional<Status> done = on_message(*in)) return *done;
  }
}

}  // namespace strata::cli
