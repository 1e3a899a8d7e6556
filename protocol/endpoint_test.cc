#include "protocol/endpoint.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::protocol {
namespace {

TEST(EndpointTest, ParsesTheThreeTransports) {
  Result<Endpoint> tcp = ParseEndpoint("tcp://127.0.0.1:7700");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->transport, Transport::kTcp);
  EXPECT_EQ(tcp->address, "127.0.0.1:7700");

  Result<Endpoint> ipc = ParseEndpoint("ipc:///run/strata/coordinator.sock");
  ASSERT_TRUE(ipc.ok());
  EXPECT_EQ(ipc->transport, Transport::kIpc);
  EXPECT_EQ(ipc->address, "/run/strata/coordinator.sock");

  Result<Endpoint> inproc = ParseEndpoint("inproc://workers");
  ASSERT_TRUE(inproc.ok());
  EXPECT_EQ(inproc->transport, Transport::kInproc);
}

TEST(EndpointTest, RejectsBadEndpointsWithHelp) {
  for (const char* bad : {"127.0.0.1:7700", "tcp://", "tcp://host", "tcp://host:99999",
                          "tcp://host:x", "udp://host:1", "inproc://", "ipc://"}) {
    Result<Endpoint> got = ParseEndpoint(bad);
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(bad), std::string::npos);
    EXPECT_NE(got.status().message().find("tcp://HOST:PORT"), std::string::npos);
  }
}

TEST(EndpointTest, RejectsIpcPathsTooLongForAUnixSocket) {
  Result<Endpoint> got = ParseEndpoint("ipc:///" + std::string(120, 'a'));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("shorter"), std::string::npos);
}

TEST(EndpointTest, BindStringTurnsPortZeroIntoWildcard) {
  EXPECT_EQ(BindString(*ParseEndpoint("tcp://127.0.0.1:0")), "tcp://127.0.0.1:*");
  EXPECT_EQ(BindString(*ParseEndpoint("tcp://127.0.0.1:10")), "tcp://127.0.0.1:10");
  EXPECT_EQ(BindString(*ParseEndpoint("ipc:///tmp/s")), "ipc:///tmp/s");
  EXPECT_EQ(TcpEndpoint("0.0.0.0", 7701), "tcp://0.0.0.0:7701");
}

}  // namespace
}  // namespace strata::protocol
