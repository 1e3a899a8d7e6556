#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "protocol/listener.h"

namespace strata::protocol {

// For tests: a thread that polls a Listener and answers every Ping with a
// Pong (pid of this process) and everything else with an Ack, echoing the
// request id, until destroyed. Counts what it answered.
class PingServer {
 public:
  explicit PingServer(Listener* listener) : listener_(listener), thread_([this] { Run(); }) {}
  ~PingServer() {
    stop_ = true;
    thread_.join();
  }
  int answered() const { return answered_; }

 private:
  void Run() {
    while (!stop_) {
      Result<std::optional<Incoming>> incoming = listener_->Poll(std::chrono::milliseconds(20));
      if (!incoming.ok()) return;
      if (!incoming->has_value()) continue;
      const Envelope& request = (*incoming)->envelope;
      Envelope reply = NewEnvelope(request.request_id());
      if (request.has_ping()) {
        reply.mutable_pong()->set_pid(getpid());
        reply.mutable_pong()->set_version("test");
        reply.mutable_pong()->set_protocol_version(kProtocolVersion);
      } else {
        reply.mutable_ack();
      }
      if (listener_->Reply((*incoming)->peer, reply).ok()) ++answered_;
    }
  }

  Listener* listener_;
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

}  // namespace strata::protocol
