#pragma once

// A loopback HTTP/1.1 reverse proxy in front of a registry, for the failures
// a real registry will not produce on demand: a blob body that does not match
// its digest, a response cut in the middle, a 503 before the real answer.
// Clients talk to address() as if it were the registry; each request is
// forwarded on its own upstream connection (`Connection: close` both ways)
// and the whole response is read before the fault is applied. Request bodies
// must have a Content-Length. Test-only. Thread-safe.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::registry::testing {

class FaultProxy {
 public:
  struct Logged {
    std::string method;
    std::string target;                          // path and query
    std::map<std::string, std::string> headers;  // names lowercased
    int status = 0;                              // what the client got (0: cut)
  };
  enum class Fault { kCorrupt, kCut, kFail };

  // upstream: "127.0.0.1:PORT". address() is empty when listening failed.
  explicit FaultProxy(std::string upstream);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // "127.0.0.1:PORT"
  const std::string& address() const { return address_; }

  // The next `times` GET responses (-1: all) whose target contains `part`
  // and whose body is not empty get one byte changed (same length).
  void CorruptBody(const std::string& part, int times = -1);
  // The next `times` GET responses whose target contains `part` stop after
  // `after_bytes` body bytes (headers as sent, so the client sees a short
  // transfer).
  void CutBody(const std::string& part, uint64_t after_bytes, int times = 1);
  // The next `times` requests whose target contains `part` ("" any) get
  // `status` (with a registry error body) without reaching the registry.
  void Fail(const std::string& part, int status, int times = 1);
  void ClearFaults();

  std::vector<Logged> Log() const;

 private:
  struct Rule {
    Fault fault;
    std::string part;
    int times;
    uint64_t bytes = 0;
    int status = 0;
  };
  void Accept();
  void Serve(int fd);
  // The rule to apply to one request (its count taken), if any.
  bool TakeRule(Fault fault, const std::string& method, const std::string& target, Rule* out);

  std::string upstream_host_;
  int upstream_port_ = 0;
  int listen_fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::vector<Logged> log_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace strata::registry::testing
