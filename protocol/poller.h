#pragma once

// Waiting on several Listeners at once, and waking that wait from another
// thread. The coordinator's I/O thread owns its client and worker Listeners
// (ZeroMQ sockets are single-thread) and waits for whichever has traffic or
// for a Waker that other threads ring when they have something to send.

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "common/result.h"
#include "protocol/listener.h"

namespace strata::protocol {

// A doorbell another thread rings to end a Poller::Wait early. Backed by an
// eventfd: Wake() is thread-safe and never blocks; wakes before the Wait
// coalesce into one.
class Waker {
 public:
  static Result<std::unique_ptr<Waker>> Create();
  ~Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;

  // Thread-safe and async-signal-safe (one write(2)).
  void Wake();
  // Clears pending wakes; called by the thread that waits.
  void Drain();

 private:
  friend class Poller;
  explicit Waker(int fd) : fd_(fd) {}
  int fd_;
};

// Waits for any of a fixed set of Listeners to have a message, or for the
// Waker. Thread-compatible: used by the thread that owns the Listeners.
class Poller {
 public:
  // REQUIRES: the listeners and the waker (may be null) outlive the Poller.
  Poller(std::vector<Listener*> listeners, Waker* waker)
      : listeners_(std::move(listeners)), waker_(waker) {}

  struct Ready {
    std::vector<size_t> listeners;  // indices into the constructor's list
    bool woken = false;             // the Waker rang (already drained)
  };

  // Waits up to `timeout`; an empty Ready when nothing happened. Read the
  // ready listeners with Listener::Poll(0ms). Cancelled while the Context
  // shuts down.
  Result<Ready> Wait(std::chrono::milliseconds timeout);

 private:
  std::vector<Listener*> listeners_;
  Waker* waker_;
};

}  // namespace strata::protocol
