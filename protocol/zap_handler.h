#pragma once

// Which CurveZMQ clients may connect: a ZAP handler (ZeroMQ RFC 27) for
// every secure Listener of one Context. libzmq asks it about each client
// during the CURVE handshake; a client it refuses never gets a connection,
// so it sends nothing and receives nothing. An admitted client's messages
// carry its public key as their user id (Incoming::curve_key), so a key is
// also an identity (docs/tenancy.md).

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "protocol/context.h"

namespace strata::protocol {

class ZapHandler {
 public:
  // Whether the client with this public key (40 characters of Z85) may
  // connect. Called on the handler's thread; must be thread-safe.
  using Admit = std::function<bool(const std::string& public_key)>;

  // Binds the handler in `context` and answers on its own thread until
  // destroyed. REQUIRES: before any secure Listener of `context` binds
  // (without a handler libzmq admits every client that knows the server
  // key); `context` outlives the handler.
  static Result<std::unique_ptr<ZapHandler>> Start(Context& context, Admit admit);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  ZapHandler(void* socket, Admit admit);
  void Serve();

  void* socket_;  // a ZeroMQ REP socket on inproc://zeromq.zap.01
  Admit admit_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace strata::protocol
