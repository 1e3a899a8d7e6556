#pragma once

#include <chrono>
#include <memory>
#include <optional>
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

struct ListenerOptions {
  size_t max_frame_size = kDefaultMaxFrameSize;  // larger frames are dropped
  std::chrono::milliseconds send_timeout{5000};
  SecurityOptions security;  // server_secret set: CurveZMQ (tcp/ipc only)
};

// One envelope received by a Listener and who sent it.
struct Incoming {
  std::string peer;  // opaque identity; pass it back to Listener::Reply
  Envelope envelope;
  // The sender's CurveZMQ public key, when a ZapHandler admitted it.
  std::string curve_key;
};

// The server side of the wire protocol (a ZeroMQ ROUTER): the coordinator's
// client and worker endpoints. Any number of Connections talk to one
// Listener; replies are routed by peer identity. Thread-compatible: one
// thread polls and replies.
class Listener {
 public:
  // Binds `endpoint`; a tcp port of 0 lets the system choose (see
  // endpoint()). An ipc:// socket file left at the path is replaced.
  // REQUIRES: `context` outlives the Listener.
  static Result<std::unique_ptr<Listener>> Bind(Context& context, std::string_view endpoint,
                                                ListenerOptions options = {});
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The bound endpoint with the real port, e.g. "tcp://127.0.0.1:41234".
  const std::string& endpoint() const { return endpoint_; }

  // The next envelope, waiting up to `timeout`; nullopt when none came or
  // when the one that came was dropped: malformed frames and messages of the
  // wrong shape are logged and dropped; an envelope of another version or
  // with an unknown body is answered with an Error and dropped. Fails only
  // when the socket does (Cancelled while the Context shuts down).
  Result<std::optional<Incoming>> Poll(std::chrono::milliseconds timeout);

  // Sends `envelope` to `peer` (version 0 is filled in). Any number of
  // replies may go to one request (streams). NotFound when the peer has
  // disconnected (or never was); Unavailable when it does not read.
  Status Reply(std::string_view peer, const Envelope& envelope);

 private:
  friend class Poller;  // waits on socket_ together with other sockets
  Listener(std::unique_ptr<internal::Socket> socket, std::string endpoint, size_t max_frame_size);

  std::unique_ptr<internal::Socket> socket_;
  std::string endpoint_;
  size_t max_frame_size_;
};

// Hex of a peer identity, for log lines.
std::string PeerName(std::string_view peer);

}  // namespace strata::protocol
