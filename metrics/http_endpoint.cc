#include "metrics/http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "common/errno_status.h"
#include "common/logging.h"
#include "common/numbers.h"
#include "common/thread_top.h"

namespace strata::metrics {
namespace {

constexpr size_t kMaxRequest = 8 << 10;

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // the scraper went away
    done += static_cast<size_t>(n);
  }
}

}  // namespace

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& address,
                                                          Handler handler) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("'" + address + "' is not HOST:PORT (e.g. 127.0.0.1:9700)");
  }
  std::string host = address.substr(0, colon);
  std::optional<int64_t> port = ParseInt64InRange(address.substr(colon + 1), 0, 65535);
  if (!port) return Status::InvalidArgument("'" + address + "': the port is not 0 to 65535");
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(*port));
  if (host.empty()) host = "0.0.0.0";
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("'" + address + "': '" + host + "' is not an IPv4 address");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("socket", address);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 16) != 0) {
    Status s = ErrnoStatus("listen on", address);
    ::close(fd);
    return s;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string bound = host + ":" + std::to_string(ntohs(addr.sin_port));
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(fd, bound, std::move(handler)));
}

HttpEndpoint::HttpEndpoint(int fd, std::string address, Handler handler)
    : fd_(fd), address_(std::move(address)), handler_(std::move(handler)) {
  thread_ = std::thread([this] {
    Status crashed = CatchAtThreadTop("http " + address_, [this] { Serve(); });
    if (!crashed.ok()) LOG(ERROR) << crashed.message();
  });
}

HttpEndpoint::~HttpEndpoint() {
  stop_ = true;
  thread_.join();
  ::close(fd_);
}

void HttpEndpoint::Serve() {
  while (!stop_) {
    pollfd p = {fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    timeval timeout = {2, 0};
    ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    Answer(connection);
    ::close(connection);
  }
}

void HttpEndpoint::Answer(int connection) {
  std::string request;
  char buffer[1024];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequest) {
    ssize_t n = ::recv(connection, buffer, sizeof(buffer), 0);
    if (n <= 0) return;  // closed or too slow
    request.append(buffer, static_cast<size_t>(n));
  }
  size_t line_end = request.find("\r\n");
  std::string line = request.substr(0, line_end);
  size_t first = line.find(' ');
  size_t second = first == std::string::npos ? std::string::npos : line.find(' ', first + 1);
  HttpReply reply;
  if (second == std::string::npos) {
    reply = {400, "text/plain; charset=utf-8", "bad request\n"};
  } else if (line.substr(0, first) != "GET") {
    reply = {405, "text/plain; charset=utf-8", "only GET\n"};
  } else {
    std::string path = line.substr(first + 1, second - first - 1);
    if (size_t query = path.find('?'); query != std::string::npos) path.resize(query);
    reply = handler_(path);
  }
  WriteAll(connection, "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) +
                           "\r\nContent-Type: " + reply.content_type +
                           "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                           "\r\nConnection: close\r\n\r\n" + reply.body);
}

}  // namespace strata::metrics
