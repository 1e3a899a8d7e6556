#pragma once

#include <chrono>

#include "common/clock.h"
#include "coordinator/rpc_handler.h"
#include "protocol/listener.h"

namespace strata::coordinator {

struct ServerOptions {
  // Exit after this long without a request; zero serves forever.
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds poll_interval{200};
};

// The coordinator's request loop on one client endpoint: poll, handle,
// reply. Runs on the calling thread until a Shutdown request, the idle
// timeout, or a failing socket.
class Server {
 public:
  Server(protocol::Listener& listener, RpcHandler& handler, Clock& clock, ServerOptions options)
      : listener_(listener), handler_(handler), clock_(clock), options_(options) {}

  // OK after a Shutdown request or the idle timeout.
  Status Run();

 private:
  protocol::Listener& listener_;
  RpcHandler& handler_;
  Clock& clock_;
  ServerOptions options_;
};

}  // namespace strata::coordinator
