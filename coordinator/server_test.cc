// The I/O thread never waits on a slow peer: a client that reads nothing
// holds up no other client, and gets every reply, in order, once it reads.

#include "coordinator/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "cache/test_util.h"
#include "protocol/connection.h"
#include "protocol/listener.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;
using std::chrono::milliseconds;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok()) << store_.status().ToString();
    clients_ = *protocol::Listener::Bind(context_, "ipc://" + dir_.path() + "/c.sock",
                                         Server::ListenerOptionsForServer());
    images_ = std::make_unique<ImageService>(**store_, clock_, dir_.path());
    handler_ = std::make_unique<RpcHandler>(*images_);
    server_ = std::make_unique<Server>(*clients_, *handler_, clock_,
                                       ServerOptions{milliseconds(0), milliseconds(50)});
    server_thread_ = std::thread([this] { served_ = server_->Run(); });
  }

  void TearDown() override {
    std::unique_ptr<protocol::Connection> client = Connect();
    Envelope shutdown = protocol::NewEnvelope(client->NextRequestId());
    shutdown.mutable_shutdown();
    EXPECT_TRUE(client->Call(shutdown, milliseconds(5000)).ok());
    server_thread_.join();
    EXPECT_TRUE(served_.ok()) << served_.ToString();
  }

  std::unique_ptr<protocol::Connection> Connect() {
    return *protocol::Connection::Connect(context_, clients_->endpoint());
  }

  cache::TempDir dir_;
  SystemClock clock_;
  Result<std::unique_ptr<cache::Store>> store_ = cache::Store::Open(dir_.path() + "/store");
  protocol::Context context_;
  std::unique_ptr<protocol::Listener> clients_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<RpcHandler> handler_;
  std::unique_ptr<Server> server_;
  std::thread server_thread_;
  Status served_;
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
