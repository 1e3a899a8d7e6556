#include "registry/testing/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ascii.h"
#include "common/numbers.h"
#include "common/thread_top.h"

namespace strata::registry::testing {
namespace {

// Reads until `data` holds a full head ("\r\n\r\n"); false on EOF/timeout.
bool ReadHead(int fd, std::string* data) {
  char buf[16384];
  while (data->find("\r\n\r\n") == std::string::npos) {
    if (data->size() > (1 << 20)) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return false;
    data->append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool ReadAtLeast(int fd, std::string* data, size_t size) {
  char buf[65536];
  while (data->size() < size) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return false;
    data->append(buf, static_cast<size_t>(n));
  }
  return true;
}

void ReadToEof(int fd, std::string* data) {
  char buf[65536];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return;
    data->append(buf, static_cast<size_t>(n));
  }
}

bool SendAll(int fd, const std::string& data, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    ssize_t n = ::send(fd, data.data() + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// A parsed head: the first line and the header lines.
struct Head {
  std::string first;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string Get(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (AsciiLower(n) == name) return v;
    }
    return "";
  }
};

Head ParseHead(const std::string& text) {
  Head h;
  size_t pos = text.find("\r\n");
  h.first = text.substr(0, pos);
  while (pos != std::string::npos && pos + 2 < text.size()) {
    size_t start = pos + 2;
    pos = text.find("\r\n", start);
    std::string line =
        text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (size_t colon = line.find(':'); colon != std::string::npos) {
      h.headers.emplace_back(TrimAsciiSpace(line.substr(0, colon)),
                             TrimAsciiSpace(line.substr(colon + 1)));
    }
  }
  return h;
}

std::string Serialize(const Head& h) {
  std::string out = h.first + "\r\n";
  for (const auto& [n, v] : h.headers) out += n + ": " + v + "\r\n";
  return out + "Connection: close\r\n\r\n";
}

void DropHeader(Head* h, const std::string& name) {
  std::erase_if(h->headers, [&](const auto& kv) { return AsciiLower(kv.first) == name; });
}

std::string StatusText(int status) {
  return status == 503   ? "Service Unavailable"
         : status == 429 ? "Too Many Requests"
         : status == 500 ? "Internal Server Error"
                         : "Error";
}

}  // namespace

FaultProxy::FaultProxy(std::string upstream) {
  size_t colon = upstream.rfind(':');
  upstream_host_ = upstream.substr(0, colon);
  upstream_port_ =
      static_cast<int>(ParseInt64InRange(upstream.substr(colon + 1), 1, 65535).value_or(0));
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    return;
  }
  address_ = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  acceptor_ = std::thread(
      [this] { CatchAtThreadTop("fault proxy", [this] { Accept(); }).PermitUncheckedError(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void FaultProxy::CorruptBody(const std::string& part, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back({Fault::kCorrupt, part, times});
}

void FaultProxy::CutBody(const std::string& part, uint64_t after_bytes, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back({Fault::kCut, part, times, after_bytes});
}

void FaultProxy::Fail(const std::string& part, int status, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back({Fault::kFail, part, times, 0, status});
}

void FaultProxy::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

std::vector<FaultProxy::Logged> FaultProxy::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

bool FaultProxy::TakeRule(Fault fault, const std::string& method, const std::string& target,
                          Rule* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Rule& r : rules_) {
    if (r.fault != fault || r.times == 0 || target.find(r.part) == std::string::npos) continue;
    if (fault != Fault::kFail && method != "GET") continue;
    if (r.times > 0) --r.times;
    *out = r;
    return true;
  }
  return false;
}

void FaultProxy::Accept() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd] {
      CatchAtThreadTop("fault proxy connection", [this, fd] { Serve(fd); }).PermitUncheckedError();
      ::close(fd);
    });
  }
}

void FaultProxy::Serve(int fd) {
  std::string data;
  if (!ReadHead(fd, &data)) return;
  size_t head_end = data.find("\r\n\r\n");
  Head request = ParseHead(data.substr(0, head_end));
  std::string rest = data.substr(head_end + 4);
  size_t sp1 = request.first.find(' ');
  size_t sp2 = request.first.find(' ', sp1 + 1);
  Logged logged;
  logged.method = request.first.substr(0, sp1);
  logged.target = request.first.substr(sp1 + 1, sp2 - sp1 - 1);
  for (const auto& [n, v] : request.headers) logged.headers[AsciiLower(n)] = v;
  auto finish = [&](int status) {
    logged.status = status;
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(logged);
  };
  if (!AsciiLower(request.Get("transfer-encoding")).empty()) {
    std::string body = "chunked request bodies are not supported by the test proxy\n";
    std::string out =
        "HTTP/1.1 501 Not Implemented\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    finish(501);
    SendAll(fd, out, out.size());
    return;
  }
  size_t length = static_cast<size_t>(
      ParseInt64InRange(request.Get("content-length"), 0, 1LL << 34).value_or(0));
  if (!ReadAtLeast(fd, &rest, length)) return;

  Rule rule;
  if (TakeRule(Fault::kFail, logged.method, logged.target, &rule)) {
    std::string body =
        R"({"errors":[{"code":"UNAVAILABLE","message":"injected by the test proxy"}]})";
    std::string out =
        "HTTP/1.1 " + std::to_string(rule.status) + " " + StatusText(rule.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    finish(rule.status);
    SendAll(fd, out, out.size());
    return;
  }

  int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  ::inet_pton(AF_INET, upstream_host_.c_str(), &addr.sin_addr);
  if (up < 0 || ::connect(up, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (up >= 0) ::close(up);
    std::string out = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    finish(502);
    SendAll(fd, out, out.size());
    return;
  }
  DropHeader(&request, "connection");
  DropHeader(&request, "keep-alive");
  std::string forward = Serialize(request) + rest.substr(0, length);
  std::string response;
  if (SendAll(up, forward, forward.size())) ReadToEof(up, &response);
  ::close(up);
  size_t resp_head_end = response.find("\r\n\r\n");
  if (resp_head_end == std::string::npos) {
    finish(0);
    return;
  }
  Head head = ParseHead(response.substr(0, resp_head_end));
  std::string body = response.substr(resp_head_end + 4);
  int status = static_cast<int>(ParseInt64InRange(head.first.substr(9, 3), 100, 999).value_or(0));
  DropHeader(&head, "connection");
  DropHeader(&head, "keep-alive");
  bool ok_body = status >= 200 && status < 300 && !body.empty();
  if (ok_body && TakeRule(Fault::kCorrupt, logged.method, logged.target, &rule)) {
    body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x5a);
  }
  std::string out = Serialize(head) + body;
  if (ok_body && TakeRule(Fault::kCut, logged.method, logged.target, &rule)) {
    size_t keep = out.size() - body.size() + std::min<size_t>(rule.bytes, body.size());
    finish(0);  // logged before the client can see the cut and come back
    SendAll(fd, out, keep);
    ::shutdown(fd, SHUT_RDWR);
    return;
  }
  finish(status);
  SendAll(fd, out, out.size());
}

}  // namespace strata::registry::testing
