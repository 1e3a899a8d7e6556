#include "cli/push_client.h"

#include <chrono>

#include "cli/build_progress.h"
#include "common/logging.h"

namespace strata::cli {

using namespace std::chrono_literals;

Result<v1::PushResult> RunRemotePush(protocol::Connection& connection, v1::PushImage request,
                                     const std::function<void(const v1::PushProgress&)>& progress) {
  const uint64_t id = connection.NextRequestId();
  protocol::Envelope envelope = protocol::NewEnvelope(id);
  *envelope.mutable_push_image() = std::move(request);
  TRY(connection.Send(envelope));

  // A push of a large layer can be silent for long (no progress from a
  // slow registry); a Ping every 20 s of silence checks the coordinator.
  int64_t last_heard = SteadyNowMs();
  uint64_t ping_id = 0;
  for (;;) {
    Result<protocol::Envelope> in = connection.Receive(1s);
    if (!in.ok()) {
      if (in.status().code() != StatusCode::kTimedOut) return in.status();
      int64_t silent = SteadyNowMs() - last_heard;
      if (ping_id == 0 && silent > 20'000) {
        ping_id = connection.NextRequestId();
        protocol::Envelope ping = protocol::NewEnvelope(ping_id);
        ping.mutable_ping();
        TRY(connection.Send(ping));
      } else if (ping_id != 0 && silent > 40'000) {
        return Status::Unavailable("the coordinator at " + connection.endpoint() +
                                   " stopped answering during the push; see its log");
      }
      continue;
    }
    last_heard = SteadyNowMs();
    if (in->request_id() == ping_id && in->has_pong()) {
      ping_id = 0;
      continue;
    }
    if (in->request_id() != id) continue;
    switch (in->body_case()) {
      case protocol::Envelope::kPushProgress:
        if (progress) progress(in->push_progress());
        break;
      case protocol::Envelope::kPushResult:
        return in->push_result();
      case protocol::Envelope::kError:
        return protocol::StatusFromError(in->error());
      default:
        LOG(DEBUG) << "push: ignoring " << protocol::BodyName(*in);
        break;
    }
  }
}

std::optional<std::string> PushLines::Line(const v1::PushProgress& progress) {
  if (progress.has_pushed()) {
    const v1::PushedTag& t = progress.pushed();
    return t.tag() + ": digest: " + t.digest() + " size: " + std::to_string(t.size());
  }
  if (progress.id().empty() || progress.status().empty()) return std::nullopt;
  std::string& last = status_[progress.id()];
  if (last == progress.status()) return std::nullopt;
  last = progress.status();
  return progress.id() + ": " + progress.status();
}

std::string PushFailureMessage(const Status& status, const std::string& host) {
  std::string message = status.message();
  if (status.code() == StatusCode::kPermissionDenied &&
      message.find("strata login") == std::string::npos) {
    message += " (run `strata login " + host + "` first)";
  }
  return message;
}

}  // namespace strata::cli
