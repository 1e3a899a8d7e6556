#include "metrics/http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "metrics/histogram.h"

namespace strata::metrics {
namespace {

// Sends `request` to 127.0.0.1:`port` and returns all it answers.
std::string Ask(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  ::send(fd, request.data(), request.size(), 0);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) out.append(buffer, n);
  ::close(fd);
  return out;
}

int PortOf(const HttpEndpoint& endpoint) {
  return std::stoi(endpoint.address().substr(endpoint.address().rfind(':') + 1));
}

TEST(HttpEndpointTest, AnswersGetWithTheHandlersPage) {
  auto endpoint = HttpEndpoint::Start("127.0.0.1:0", [](const std::string& path) {
    if (path == "/healthz") return HttpReply{200, "text/plain", "ok\n"};
    return HttpReply{404, "text/plain", "no\n"};
  });
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  int port = PortOf(**endpoint);
  std::string ok = Ask(port, "GET /healthz?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Content-Length: 3\r\n"), std::string::npos);
  EXPECT_EQ(ok.substr(ok.size() - 3), "ok\n");
  EXPECT_EQ(Ask(port, "GET /other HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(Ask(port, "POST /healthz HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
  EXPECT_EQ(Ask(port, "nonsense\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
}

TEST(HttpEndpointTest, RefusesAMalformedAddress) {
  auto handler = [](const std::string&) { return HttpReply{}; };
  EXPECT_EQ(HttpEndpoint::Start("9700", handler).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpEndpoint::Start("localhost:9700", handler).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpEndpoint::Start("127.0.0.1:99999", handler).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HistogramTest, BucketsAreCumulativeAndInclusive) {
  Histogram h({0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // le="0.1" counts it
  h.Observe(0.5);
  h.Observe(7);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.sum, 7.65);
}

}  // namespace
}  // namespace strata::metrics
