#pragma once

// A minimal HTTP/1.1 server for GET requests, for /metrics and /healthz
// (docs/operations.md "Metrics"): one thread, one connection at a time,
// each answered and closed. Requests over 8 KiB or slower than 2 s are
// dropped. Not for anything but small read-only pages.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"

namespace strata::metrics {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpEndpoint {
 public:
  // Called on the endpoint's thread with the request path ("/metrics").
  using Handler = std::function<HttpReply(const std::string& path)>;

  // Listens on `address` ("127.0.0.1:9700", "0.0.0.0:9700", or ":9700"
  // for every interface; port 0 lets the system choose) and serves until
  // destroyed. InvalidArgument for a malformed address, IOError when the
  // port cannot be bound.
  static Result<std::unique_ptr<HttpEndpoint>> Start(const std::string& address, Handler handler);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // "127.0.0.1:41234", with the bound port.
  const std::string& address() const { return address_; }

 private:
  HttpEndpoint(int fd, std::string address, Handler handler);
  void Serve();
  void Answer(int connection);

  const int fd_;
  const std::string address_;
  const Handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace strata::metrics
