#include "cli/push_client.h"

#include "cli/reply_stream.h"
#include "common/logging.h"

namespace strata::cli {

Result<v1::PushResult> RunRemotePush(protocol::Connection& connection, v1::PushImage request,
                                     const std::function<void(const v1::PushProgress&)>& progress) {
  const uint64_t id = connection.NextRequestId();
  protocol::Envelope envelope = protocol::NewEnvelope(id);
  *envelope.mutable_push_image() = std::move(request);
  TRY(connection.Send(envelope));

  // A push of a large layer can be silent for long (no progress from a
  // slow registry): ReceiveReplies pings the coordinator meanwhile.
  std::optional<v1::PushResult> result;
  TRY(ReceiveReplies(connection, id, "push",
                     [&](const protocol::Envelope& in) -> std::optional<Status> {
                       switch (in.body_case()) {
                         case protocol::Envelope::kPushProgress:
                           if (progress) progress(in.push_progress());
                           return std::nullopt;
                         case protocol::Envelope::kPushResult:
                           result = in.push_result();
                           return Status::OK();
                         case protocol::Envelope::kError:
                           return protocol::StatusFromError(in.error());
                         default:
                           LOG(DEBUG) << "push: ignoring " << protocol::BodyName(in);
                           return std::nullopt;
                       }
                     }));
  return *result;
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
