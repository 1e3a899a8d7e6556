#include "registry/testing/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ascii.h"
#include "common/numbers.h"
#include "common/thread_top.h"

namespace strata::registry {
namespace {}  // namespace

std::string UrlDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int hi = i + 1 < text.size() ? hex(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        out += text[i];
        continue;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> QueryValues(const std::string& query, const std::string& name) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    size_t eq = part.find('=');
    if (UrlDecode(part.substr(0, eq)) == name) {
      out.push_back(eq == std::string::npos ? "" : UrlDecode(part.substr(eq + 1)));
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

TestHttpServer::TestHttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    return;
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread(
      [this] { CatchAtThreadTop("test http server", [this] { Serve(); }).PermitUncheckedError(); });
}

TestHttpServer::~TestHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TestHttpServer::Set(const std::string& path, Response response) {
  std::lock_guard<std::mutex> lock(mu_);
  routes_[path] = std::move(response);
}

void TestHttpServer::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<TestHttpServer::Request> TestHttpServer::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

std::string TestHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void TestHttpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);
    ::close(fd);
  }
}

void TestHttpServer::Handle(int fd) {
  // Read the request head (bounded: 64 KiB, 2 s), then Content-Length bytes.
  std::string data;
  char buf[4096];
  auto read_more = [&]() {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return false;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    return true;
  };
  while (data.find("\r\n\r\n") == std::string::npos && data.size() < 65536) {
    if (!read_more()) return;
  }
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) return;
  Request request;
  std::string head = data.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : first.find(' ', sp1 + 1);
  if (sp2 == std::string::npos) return;
  request.method = first.substr(0, sp1);
  request.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
  if (size_t q = request.path.find('?'); q != std::string::npos) {
    request.query = request.path.substr(q + 1);
    request.path.resize(q);
  }
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    std::string line = head.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
    if (size_t colon = line.find(':'); colon != std::string::npos) {
      request.headers[AsciiLower(TrimAsciiSpace(line.substr(0, colon)))] =
          TrimAsciiSpace(line.substr(colon + 1));
    }
    if (e == std::string::npos) break;
    pos = e + 2;
  }
  uint64_t length = 0;
  if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
    length = static_cast<uint64_t>(ParseInt64InRange(it->second, 0, 1 << 30).value_or(0));
  }
  while (data.size() - head_end - 4 < length) {
    if (!read_more()) return;
  }
  request.body = data.substr(head_end + 4, length);
  ++requests_;

  Response response{404, "Not Found", "not found\n", {}};
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(request);
    handler = handler_;
    if (!handler) {
      if (auto it = routes_.find(request.path); it != routes_.end()) response = it->second;
    }
  }
  if (handler) response = handler(request);
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + response.reason +
                    "\r\nContent-Length: " + std::to_string(response.body.size()) +
                    "\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (request.method != "HEAD") out += response.body;
  size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

}  // namespace strata::registry
