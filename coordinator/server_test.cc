// The I/O thread never waits on a slow peer: a client that reads nothing
// holds up no other client, and gets every reply, in order, once it reads.

#include "coordinator/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "cache/test_util.h"
#include "coordinator/testing/coordinator_under_test.h"
#include "protocol/connection.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;
using std::chrono::milliseconds;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(coordinator_.status().ok()) << coordinator_.status().ToString();
    coordinator_.Run();
  }
  void TearDown() override { EXPECT_TRUE(coordinator_.Stop().ok()); }

  std::unique_ptr<protocol::Connection> Connect() {
    return *protocol::Connection::Connect(coordinator_.context(),
                                          coordinator_.clients().endpoint());
  }

  cache::TempDir dir_;
  SystemClock clock_;
  testing::CoordinatorUnderTest coordinator_{dir_.path(), clock_, "ipc://" + dir_.path() + "/c.sock"};
};

TEST_F(ServerTest, AClientThatReadsNothingHoldsUpNobodyAndLosesNothing) {
  // Far more replies than the socket queues hold (1000 messages a side,
  // plus the kernel's buffer).
  constexpr int kPings = 20000;
  std::unique_ptr<protocol::Connection> silent = Connect();
  for (int i = 0; i < kPings; ++i) {
    Envelope ping = protocol::NewEnvelope(silent->NextRequestId());
    ping.mutable_ping();
    ASSERT_TRUE(silent->Send(ping).ok()) << i;
  }
  // Another client is answered meanwhile (a blocking send to the silent
  // one would hold the I/O thread 5 s per reply).
  std::unique_ptr<protocol::Connection> other = Connect();
  Envelope ping = protocol::NewEnvelope(other->NextRequestId());
  ping.mutable_ping();
  Result<Envelope> pong = other->Call(ping, milliseconds(3000));
  ASSERT_TRUE(pong.ok()) << pong.status().ToString();
  EXPECT_TRUE(pong->has_pong());

  // The silent one reads now: every reply, in order.
  uint64_t next = 1;
  for (int i = 0; i < kPings; ++i) {
    Result<Envelope> in = silent->Receive(milliseconds(5000));
    ASSERT_TRUE(in.ok()) << "reply " << i << ": " << in.status().ToString();
    ASSERT_TRUE(in->has_pong());
    ASSERT_EQ(in->request_id(), next) << "out of order";
    ++next;
  }
}

}  // namespace
}  // namespace strata::coordinator
