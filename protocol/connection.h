#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "protocol/context.h"
#include "protocol/envelope.h"
#include "protocol/frame.h"
#include "protocol/security.h"

namespace strata::protocol {

namespace internal {
class Socket;
}

struct ConnectionOptions {
  size_t max_frame_size = kDefaultMaxFrameSize;
  std::chrono::milliseconds send_timeout{5000};
  SecurityOptions security;  // server_public set: CurveZMQ (tcp/ipc only)
  // Stamped on every envelope this connection sends (docs/tenancy.md).
  std::string token;
};

// The client side of the wire protocol (a ZeroMQ DEALER): what `strata` and a
// worker use to talk to the coordinator. Connecting does not wait for the
// server; messages queue until it is there. Thread-compatible: use one
// Connection from one thread at a time (make one per thread).
class Connection {
 public:
  // REQUIRES: `context` outlives the Connection.
  static Result<std::unique_ptr<Connection>> Connect(Context& context, std::string_view endpoint,
                                                     ConnectionOptions options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one envelope; a version of 0 is filled in with kProtocolVersion.
  Status Send(const Envelope& envelope);

  // The next envelope from the server, waiting up to `timeout`: TimedOut
  // when none came. Malformed frames are dropped with a warning and waiting
  // goes on. An envelope of another protocol version is returned only when
  // it carries an Error (the server refusing us); otherwise InvalidArgument.
  Result<Envelope> Receive(std::chrono::milliseconds timeout);

  // Sends `request` and returns the reply with the same request_id, skipping
  // replies to earlier requests. A request_id of 0 is replaced with
  // NextRequestId(). TimedOut after `timeout` in all. The reply may carry an
  // Error body: see StatusFromError().
  Result<Envelope> Call(const Envelope& request, std::chrono::milliseconds timeout);

  // A request id not used before on this connection (1, 2, ...).
  uint64_t NextRequestId() { return ++last_request_id_; }

  const std::string& endpoint() const { return endpoint_; }

 private:
  Connection(std::unique_ptr<internal::Socket> socket, std::string endpoint, size_t max_frame_size,
             std::string token);

  std::unique_ptr<internal::Socket> socket_;
  std::string endpoint_;
  size_t max_frame_size_;
  std::string token_;
  uint64_t last_request_id_ = 0;
};

}  // namespace strata::protocol
