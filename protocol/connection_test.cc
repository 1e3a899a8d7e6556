#include "protocol/connection.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "protocol/listener.h"
#include "protocol/test_server.h"

namespace strata::protocol {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTimeout{5000};

// A fresh directory for a test; removed when the test passed, kept (and
// named) when it failed.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/strata-protocol-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "kept " << path_ << "\n";
    } else {
      std::filesystem::remove_all(path_);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Envelope Ping() {
  Envelope envelope;
  envelope.mutable_ping();
  return envelope;
}

void ExpectPingRoundTrip(Context& context, const std::string& bind_endpoint) {
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, bind_endpoint);
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  PingServer server(listener->get());
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, (*listener)->endpoint());
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  Result<Envelope> reply = (*connection)->Call(Ping(), kTimeout);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  ASSERT_TRUE(reply->has_pong());
  EXPECT_EQ(reply->pong().pid(), getpid());
  EXPECT_EQ(reply->pong().protocol_version(), kProtocolVersion);
  EXPECT_EQ(reply->version(), kProtocolVersion);
  EXPECT_EQ(reply->request_id(), 1u);
}

TEST(ConnectionTest, RoundTripOverIpc) {
  TempDir dir;
  Context context;
  ExpectPingRoundTrip(context, "ipc://" + dir.path() + "/coordinator.sock");
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/coordinator.sock"));
}

TEST(ConnectionTest, IpcSocketIs0600WhateverTheUmask) {
  TempDir dir;
  Context context;
  mode_t old = ::umask(0);
  Result<std::unique_ptr<Listener>> listener =
      Listener::Bind(context, "ipc://" + dir.path() + "/coordinator.sock");
  ::umask(old);
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/coordinator.sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ConnectionTest, IpcRefusesPeersOfAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
  TempDir dir;
  Context context;
  const std::string path = dir.path() + "/coordinator.sock";
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "ipc://" + path);
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  PingServer server(listener->get());
  // Open the file modes wide, so that only the peer-uid check stands between
  // the other user and the coordinator.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    Context own;
    Result<std::unique_ptr<Connection>> c = Connection::Connect(own, "ipc://" + path);
    if (!c.ok()) _exit(3);
    Result<Envelope> reply = (*c)->Call(Ping(), milliseconds(1500));
    _exit(reply.ok() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: another user got an answer; 2/3: set-up failed";
  // Our own user still gets through.
  Result<std::unique_ptr<Connection>> mine = Connection::Connect(context, "ipc://" + path);
  ASSERT_TRUE(mine.ok());
  Result<Envelope> reply = (*mine)->Call(Ping(), kTimeout);
  EXPECT_TRUE(reply.ok()) << reply.status().ToString();
}

TEST(ConnectionTest, RoundTripOverTcpWithPortZero) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "tcp://127.0.0.1:0");
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  const std::string& bound = (*listener)->endpoint();
  EXPECT_EQ(bound.rfind("tcp://127.0.0.1:", 0), 0u) << bound;
  EXPECT_NE(bound, "tcp://127.0.0.1:0");
  EXPECT_NE(bound, "tcp://127.0.0.1:*");
  listener->reset();
  ExpectPingRoundTrip(context, "tcp://127.0.0.1:0");
}

TEST(ConnectionTest, RoundTripOverInproc) {
  Context context;
  ExpectPingRoundTrip(context, "inproc://coordinator");
}

TEST(ConnectionTest, BindingATakenPortFails) {
  Context context;
  Result<std::unique_ptr<Listener>> first = Listener::Bind(context, "tcp://127.0.0.1:0");
  ASSERT_TRUE(first.ok());
  Result<std::unique_ptr<Listener>> second = Listener::Bind(context, (*first)->endpoint());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(second.status().message().find((*first)->endpoint()), std::string::npos);
}

TEST(ConnectionTest, CallTimesOutWhenNoServer) {
  TempDir dir;
  Context context;
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, "ipc://" + dir.path() + "/nobody.sock");
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  auto start = std::chrono::steady_clock::now();
  Result<Envelope> reply = (*connection)->Call(Ping(), milliseconds(200));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kTimedOut);
  EXPECT_TRUE(reply.status().retryable());
  EXPECT_NE(reply.status().message().find("ping"), std::string::npos);
  EXPECT_GE(elapsed, milliseconds(190));
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST(ConnectionTest, ReceiveTimesOut) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://quiet");
  ASSERT_TRUE(listener.ok());
  Result<std::unique_ptr<Connection>> connection = Connection::Connect(context, "inproc://quiet");
  ASSERT_TRUE(connection.ok());
  Result<Envelope> got = (*connection)->Receive(milliseconds(50));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kTimedOut);
}

TEST(ConnectionTest, CallSkipsStaleReplies) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://stale");
  ASSERT_TRUE(listener.ok());
  Result<std::unique_ptr<Connection>> connection = Connection::Connect(context, "inproc://stale");
  ASSERT_TRUE(connection.ok());

  std::thread server([&] {
    Result<std::optional<Incoming>> in = (*listener)->Poll(kTimeout);
    ASSERT_TRUE(in.ok() && in->has_value());
    uint64_t id = (*in)->envelope.request_id();
    // Answers to earlier requests arrive first.
    Envelope stale = NewEnvelope(id - 1);
    stale.mutable_ack();
    ASSERT_TRUE((*listener)->Reply((*in)->peer, stale).ok());
    Envelope reply = NewEnvelope(id);
    reply.mutable_pong()->set_pid(1);
    ASSERT_TRUE((*listener)->Reply((*in)->peer, reply).ok());
  });
  Envelope request = Ping();
  request.set_request_id(10);
  Result<Envelope> reply = (*connection)->Call(request, kTimeout);
  server.join();
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->request_id(), 10u);
  EXPECT_TRUE(reply->has_pong());
}

TEST(ConnectionTest, OtherVersionsErrorIsHandedOverButOtherBodiesFail) {
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "inproc://future");
  ASSERT_TRUE(listener.ok());
  Result<std::unique_ptr<Connection>> connection = Connection::Connect(context, "inproc://future");
  ASSERT_TRUE(connection.ok());
  ASSERT_TRUE((*connection)->Send(Ping()).ok());
  Result<std::optional<Incoming>> in = (*listener)->Poll(kTimeout);
  ASSERT_TRUE(in.ok() && in->has_value());

  Envelope refusal = ErrorReply(1, Status::InvalidArgument("speak version 2"));
  refusal.set_version(kProtocolVersion + 1);
  ASSERT_TRUE((*listener)->Reply((*in)->peer, refusal).ok());
  Result<Envelope> got = (*connection)->Receive(kTimeout);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(StatusFromError(got->error()).message(), "speak version 2");

  Envelope pong = NewEnvelope(1);
  pong.set_version(kProtocolVersion + 1);
  pong.mutable_pong();
  ASSERT_TRUE((*listener)->Reply((*in)->peer, pong).ok());
  got = (*connection)->Receive(kTimeout);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("version 2"), std::string::npos);
}

TEST(ConnectionTest, SendRejectsOversizedMessage) {
  Context context;
  ConnectionOptions options;
  options.max_frame_size = 1024;
  Result<std::unique_ptr<Connection>> connection =
      Connection::Connect(context, "inproc://nobody", options);
  ASSERT_TRUE(connection.ok());
  Envelope envelope;
  envelope.mutable_blob_put()->set_data(std::string(4096, 'z'));
  Status status = (*connection)->Send(envelope);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

TEST(ConnectionTest, ConnectRejectsBadEndpoint) {
  Context context;
  Result<std::unique_ptr<Connection>> connection = Connection::Connect(context, "localhost:7700");
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
}

TEST(ConnectionTest, ManyConcurrentClientsAgainstOneListener) {
  constexpr int kClients = 16;
  constexpr int kCallsEach = 25;
  Context context;
  Result<std::unique_ptr<Listener>> listener = Listener::Bind(context, "tcp://127.0.0.1:0");
  ASSERT_TRUE(listener.ok());
  PingServer server(listener->get());
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      Result<std::unique_ptr<Connection>> connection =
          Connection::Connect(context, (*listener)->endpoint());
      if (!connection.ok()) return;
      for (int i = 0; i < kCallsEach; ++i) {
        Result<Envelope> reply = (*connection)->Call(Ping(), kTimeout);
        if (reply.ok() && reply->has_pong() && reply->request_id() == uint64_t(i + 1)) ++ok;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(ok, kClients * kCallsEach);
  EXPECT_EQ(server.answered(), kClients * kCallsEach);
}

}  // namespace
}  // namespace strata::protocol
