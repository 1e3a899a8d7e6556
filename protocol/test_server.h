#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "protocol/listener.h"

namespace strata::protocol {

// For tests: a thread that polls a Listener and answers every Ping with a
// Pong (pid of this process) and everything else with an Ack, echoing the
// request id, until destroyed. Counts what it answered and keeps the last
// request's Curve key and token.
class PingServer {
 public:
  explicit PingServer(Listener* listener) : listener_(listener), thread_([this] { Run(); }) {}
  ~PingServer() {
    stop_ = true;
    thread_.join();
  }
  int answered() const { return answered_; }
  std::string last_curve_key() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_curve_key_;
  }
  std::string last_token() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_token_;
  }

 private:
  void Run() {
    while (!stop_) {
      Result<std::optional<Incoming>> incoming = listener_->Poll(std::chrono::milliseconds(20));
      if (!incoming.ok()) return;
      if (!incoming->has_value()) continue;
      const Envelope& request = (*incoming)->envelope;
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_curve_key_ = (*incoming)->curve_key;
        last_token_ = request.token();
      }
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
  mutable std::mutex mu_;
  std::string last_curve_key_;
  std::string last_token_;
  std::thread thread_;
};

}  // namespace strata::protocol
