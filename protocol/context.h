#pragma once

namespace strata::protocol {

namespace internal {
class Socket;
}
class ZapHandler;

// The I/O context every Connection and Listener is made from (one ZeroMQ
// context with its I/O thread). inproc:// endpoints only meet inside one
// Context. Thread-safe.
//
// REQUIRES: every Connection and Listener made from it is destroyed before
// the Context (the destructor waits for their sockets to close).
class Context {
 public:
  Context();
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

 private:
  friend class internal::Socket;
  friend class ZapHandler;
  void* handle_;  // the ZeroMQ context; null if it could not be created
};

}  // namespace strata::protocol
