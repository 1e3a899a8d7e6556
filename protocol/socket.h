#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "protocol/context.h"
#include "protocol/endpoint.h"
#include "protocol/security.h"

namespace strata::protocol::internal {

// Options shared by both socket kinds.
struct SocketOptions {
  size_t max_frame_size;                   // senders of frames over twice this are cut off unread
  std::chrono::milliseconds send_timeout;  // a send blocked longer fails Unavailable
  SecurityOptions security;
};

// One message as received: its parts, at most kMaxParts of them kept, and how
// many the message really had (so a wrong shape is visible).
struct Multipart {
  static constexpr size_t kMaxParts = 4;
  std::vector<std::string> parts;
  size_t part_count = 0;
  // A CurveZMQ sender's public key as the ZAP handler named it (its user
  // id); empty without Curve or without a handler.
  std::string user_id;
};

// A ZeroMQ socket behind a ZeroMQ-free interface, turning every libzmq error
// into a Status. The building block of Connection and Listener; tests use it
// to send frames no Connection would. Thread-compatible: one thread at a time.
class Socket {
 public:
  enum class Kind { kDealer, kRouter };

  // A socket of `kind` with `options` applied. A router with
  // security.server_secret is a CurveZMQ server; a dealer with
  // security.server_public is a CurveZMQ client (its own key pair generated
  // when client_public/client_secret are empty).
  static Result<std::unique_ptr<Socket>> Create(Context& context, Kind kind,
                                                const SocketOptions& options);
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // After Bind, bound_endpoint() names the real address (tcp port filled in).
  Status Bind(const Endpoint& endpoint);
  Status Connect(const Endpoint& endpoint);
  const std::string& bound_endpoint() const { return bound_endpoint_; }
  // The libzmq socket, for polling several sockets at once (protocol::Poller).
  void* native_handle() const { return handle_; }

  // Sends `parts` as one message. Unavailable when the peer is unknown or gone
  // (router) or when the send stays blocked past send_timeout.
  Status Send(const std::vector<std::string_view>& parts);

  // Waits up to `timeout` for one message; nullopt when none came.
  // Cancelled when the Context is shutting down.
  Result<std::optional<Multipart>> Receive(std::chrono::milliseconds timeout);

 private:
  Socket(void* handle, bool secure) : handle_(handle), secure_(secure) {}

  void* handle_;
  bool secure_;
  std::string bound_endpoint_;
};

}  // namespace strata::protocol::internal
