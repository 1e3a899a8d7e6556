#include "protocol/connection.h"

#include <string>
#include <utility>

#include "common/log_limiter.h"
#include "common/logging.h"
#include "protocol/socket.h"

namespace strata::protocol {

using Clock = std::chrono::steady_clock;

Result<std::unique_ptr<Connection>> Connection::Connect(Context& context, std::string_view endpoint,
                                                        ConnectionOptions options) {
  ASSIGN_OR_RETURN(Endpoint parsed, ParseEndpoint(endpoint));
  internal::SocketOptions socket_options{options.max_frame_size, options.send_timeout,
                                         std::move(options.security)};
  ASSIGN_OR_RETURN(
      std::unique_ptr<internal::Socket> socket,
      internal::Socket::Create(context, internal::Socket::Kind::kDealer, socket_options));
  TRY(socket->Connect(parsed));
  return std::unique_ptr<Connection>(new Connection(std::move(socket), std::string(endpoint),
                                                    options.max_frame_size,
                                                    std::move(options.token)));
}

Connection::Connection(std::unique_ptr<internal::Socket> socket, std::string endpoint,
                       size_t max_frame_size, std::string token)
    : socket_(std::move(socket)),
      endpoint_(std::move(endpoint)),
      max_frame_size_(max_frame_size),
      token_(std::move(token)) {}

Connection::~Connection() = default;

Status Connection::Send(const Envelope& envelope) {
  auto encode = [&]() -> Result<std::string> {
    if (token_.empty() || envelope.token() == token_) {
      return EncodeFrameForSend(envelope, max_frame_size_);
    }
    Envelope stamped = envelope;
    stamped.set_token(token_);
    return EncodeFrameForSend(stamped, max_frame_size_);
  };
  ASSIGN_OR_RETURN(std::string frame, encode());
  Status status = socket_->Send({frame});
  if (!status.ok()) return status.Annotate("sending to " + endpoint_);
  return Status::OK();
}

Result<Envelope> Connection::Receive(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    ASSIGN_OR_RETURN(std::optional<internal::Multipart> message, socket_->Receive(left));
    if (!message.has_value()) {
      return Status::TimedOut("no answer from " + endpoint_ + " within " +
                              std::to_string(timeout.count()) +
                              " ms; is the coordinator running there?");
    }
    if (message->part_count != 1) {
      LOG_LIMITED(WARN) << "dropped a message of " << message->part_count << " parts from "
                        << endpoint_ << " (expected 1)";
      continue;
    }
    Result<Envelope> envelope = ParseFrame(message->parts[0], max_frame_size_);
    if (!envelope.ok()) {
      LOG_LIMITED(WARN) << "dropped a frame from " << endpoint_ << ": "
                        << envelope.status().message();
      continue;
    }
    if (envelope->version() != kProtocolVersion && envelope->has_error()) return envelope;
    if (Status check = CheckEnvelope(*envelope); !check.ok()) {
      if (envelope->version() != kProtocolVersion) return check.Annotate(endpoint_);
      LOG_LIMITED(WARN) << "dropped a message from " << endpoint_ << ": " << check.message();
      continue;
    }
    return envelope;
  }
}

Result<Envelope> Connection::Call(const Envelope& request, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  Envelope stamped = request;
  if (stamped.request_id() == 0) stamped.set_request_id(NextRequestId());
  TRY(Send(stamped));
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    Result<Envelope> reply = Receive(left);
    if (!reply.ok()) {
      if (reply.status().code() == StatusCode::kTimedOut) {
        return Status::TimedOut("no answer to " + std::string(BodyName(stamped)) + " from " +
                                endpoint_ + " within " + std::to_string(timeout.count()) +
                                " ms; is the coordinator running there?");
      }
      return reply;
    }
    if (reply->request_id() == stamped.request_id()) return reply;
    LOG(DEBUG) << "skipped a stale " << BodyName(*reply) << " for request " << reply->request_id()
               << " while waiting for request " << stamped.request_id();
  }
}

}  // namespace strata::protocol
