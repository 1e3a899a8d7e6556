#pragma once

// A tiny HTTP/1.1 server on 127.0.0.1 (port chosen by the kernel) for tests
// of code that speaks HTTP: serves fixed responses by path, or whatever a
// handler returns; one connection at a time, `Connection: close`. Also the
// base of the token issuer. Not for production.
//
// Thread-safe: routes and the handler may change while the server runs.

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::registry {

class TestHttpServer {
 public:
  struct Request {
    std::string method;
    std::string path;                            // without the query
    std::string query;                           // after '?', "" when none
    std::map<std::string, std::string> headers;  // names lowercased
    std::string body;                            // Content-Length bytes
  };
  struct Response {
    int status = 200;
    std::string reason = "OK";
    std::string body;
    std::map<std::string, std::string> headers;  // besides Content-Length, Connection
  };
  using Handler = std::function<Response(const Request&)>;

  // Starts listening; port() is 0 when the socket could not be set up.
  TestHttpServer();
  ~TestHttpServer();  // stops the thread (within ~100 ms)
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Serves `response` for GET `path` ("/file.txt"); other paths get 404.
  void Set(const std::string& path, Response response);
  // Answers every request with handler(request) instead of the routes. The
  // handler runs on the server's thread; it must not throw.
  void SetHandler(Handler handler);
  // "http://127.0.0.1:PORT" + path.
  std::string Url(const std::string& path) const;
  int port() const { return port_; }
  // Requests served so far (any path).
  int requests() const { return requests_.load(); }
  // Every request served so far, in order.
  std::vector<Request> Log() const;

 private:
  void Serve();
  void Handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  std::map<std::string, Response> routes_;
  Handler handler_;
  std::vector<Request> log_;
  std::thread thread_;
};

// Decodes %XX escapes and '+' of a query component.
std::string UrlDecode(const std::string& text);
// The values of `name` in a query string ("a=1&b=2&a=3"), decoded, in order.
std::vector<std::string> QueryValues(const std::string& query, const std::string& name);

}  // namespace strata::registry
