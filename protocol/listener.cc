#include "protocol/listener.h"

#include <string>
#include <utility>

#include "common/log_limiter.h"
#include "common/logging.h"
#include "protocol/socket.h"

namespace strata::protocol {

Result<std::unique_ptr<Listener>> Listener::Bind(Context& context, std::string_view endpoint,
                                                 ListenerOptions options) {
  ASSIGN_OR_RETURN(Endpoint parsed, ParseEndpoint(endpoint));
  internal::SocketOptions socket_options{options.max_frame_size, options.send_timeout,
                                         std::move(options.security)};
  ASSIGN_OR_RETURN(
      std::unique_ptr<internal::Socket> socket,
      internal::Socket::Create(context, internal::Socket::Kind::kRouter, socket_options));
  TRY(socket->Bind(parsed));
  std::string bound = socket->bound_endpoint();
  return std::unique_ptr<Listener>(
      new Listener(std::move(socket), std::move(bound), options.max_frame_size));
}

Listener::Listener(std::unique_ptr<internal::Socket> socket, std::string endpoint,
                   size_t max_frame_size)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)), max_frame_size_(max_frame_size) {}

Listener::~Listener() = default;

Result<std::optional<Incoming>> Listener::Poll(std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(std::optional<internal::Multipart> message, socket_->Receive(timeout));
  if (!message.has_value()) return std::optional<Incoming>();
  // A ROUTER prefixes the sender's identity: [identity][frame].
  if (message->part_count != 2) {
    LOG_LIMITED(WARN) << "dropped a message of " << message->part_count << " parts on " << endpoint_
                      << (message->parts.empty() ? "" : " from " + PeerName(message->parts[0]))
                      << " (expected 1 frame)";
    return std::optional<Incoming>();
  }
  Incoming incoming{std::move(message->parts[0]), Envelope(), std::move(message->user_id)};
  Result<Envelope> envelope = ParseFrame(message->parts[1], max_frame_size_);
  if (!envelope.ok()) {
    LOG_LIMITED(WARN) << "dropped a frame on " << endpoint_ << " from " << PeerName(incoming.peer)
                      << ": " << envelope.status().message();
    return std::optional<Incoming>();
  }
  if (Status check = CheckEnvelope(*envelope); !check.ok()) {
    LOG_LIMITED(WARN) << "refused a message on " << endpoint_ << " from " << PeerName(incoming.peer)
                      << ": " << check.message();
    Status sent = Reply(incoming.peer, ErrorReply(envelope->request_id(), check));
    if (!sent.ok()) {
      LOG_LIMITED(WARN) << "cannot tell " << PeerName(incoming.peer) << " why: " << sent.message();
    }
    return std::optional<Incoming>();
  }
  incoming.envelope = std::move(envelope).value();
  return std::optional<Incoming>(std::move(incoming));
}

Status Listener::Reply(std::string_view peer, const Envelope& envelope) {
  ASSIGN_OR_RETURN(std::string frame, EncodeFrameForSend(envelope, max_frame_size_));
  Status status = socket_->Send({peer, frame});
  if (!status.ok()) {
    return status.Annotate("replying " + std::string(BodyName(envelope)) + " to " + PeerName(peer) +
                           " on " + endpoint_);
  }
  return Status::OK();
}

std::string PeerName(std::string_view peer) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "peer-";
  for (char c : peer) {
    auto byte = static_cast<unsigned char>(c);
    name.push_back(kHex[byte >> 4]);
    name.push_back(kHex[byte & 0xf]);
  }
  return name;
}

}  // namespace strata::protocol
