#pragma once

// A tiny HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) for tests
// of code that downloads: serves fixed responses by path, one connection at
// a time, `Connection: close`. Not for production.
//
// Thread-safe: routes may change while the server runs.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace strata::registry {

class TestHttpServer {
 public:
  struct Response {
    int status = 200;
    std::string reason = "OK";
    std::string body;
    std::map<std::string, std::string> headers;  // besides Content-Length, Connection
  };

  // Starts listening; port() is 0 when the socket could not be set up.
  TestHttpServer();
  ~TestHttpServer();  // stops the thread (within ~100 ms)
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Serves `response` for GET `path` ("/file.txt"); other paths get 404.
  void Set(const std::string& path, Response response);
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  int port() const { return port_; }
  // GET requests served so far (any path).
  int requests() const { return requests_.load(); }

 private:
  void Serve();
  void Handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::map<std::string, Response> routes_;
  std::thread thread_;
};

}  // namespace strata::registry
