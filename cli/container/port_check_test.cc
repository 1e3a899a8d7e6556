#include "cli/container/port_check.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace strata::cli::container {
namespace {

// A TCP socket listening on 127.0.0.1 at a port the kernel picks.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 1), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<struct sockaddr*>(&addr), &len);
    port_ = std::to_string(ntohs(addr.sin_port));
  }
  ~Listener() { close(fd_); }
  const std::string& port() const { return port_; }

 private:
  int fd_ = -1;
  std::string port_;
};

TEST(PortCheckTest, PortHeldByAProcessIsAllocated) {
  Listener l;
  Status s = CheckPortFree("0.0.0.0:" + l.port() + "->" + l.port() + "/tcp", {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "Bind for 0.0.0.0:" + l.port() + " failed: port is already allocated");
  EXPECT_FALSE(CheckPortFree("127.0.0.1:" + l.port() + "->" + l.port() + "/tcp", {}).ok());
}

TEST(PortCheckTest, FreePortIsFree) {
  std::string port;
  {
    Listener l;
    port = l.port();
  }
  EXPECT_TRUE(CheckPortFree("0.0.0.0:" + port + "->" + port + "/tcp", {}).ok());
}

TEST(PortCheckTest, PortOfARunningContainerIsAllocated) {
  std::vector<std::string> taken = {"0.0.0.0:18999->18999/tcp"};
  Status s = CheckPortFree("127.0.0.1:18999->18999/tcp", taken);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "Bind for 127.0.0.1:18999 failed: port is already allocated");
  // Another protocol or another port is not the same binding.
  EXPECT_TRUE(CheckPortFree("0.0.0.0:18999->18999/udp", taken).ok());
  EXPECT_TRUE(CheckPortFree("0.0.0.0:18998->18998/tcp", taken).ok());
}

}  // namespace
}  // namespace strata::cli::container
