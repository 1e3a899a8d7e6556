// The cluster in one process (inproc:// sockets) on a fake clock: the
// coordinator's Server, BuildService and WorkerPool, and ScriptedWorkers
// whose heartbeats the test sends, so that who is alive is decided by the
// test's clock, never by the machine's speed.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cache/test_util.h"
#include "common/clock.h"
#include "coordinator/build_service.h"
#include "coordinator/outbox_job_sender.h"
#include "coordinator/rpc_handler.h"
#include "coordinator/server.h"
#include "coordinator/testing/scripted_worker.h"
#include "coordinator/worker_pool.h"
#include "protocol/connection.h"
#include "protocol/listener.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;
using std::chrono::milliseconds;
using testing::ScriptedWorker;

constexpr int64_t kSecond = 1'000'000'000;

class InprocClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok()) << store_.status().ToString();
    const std::string name = std::to_string(reinterpret_cast<uintptr_t>(this));
    clients_ = *protocol::Listener::Bind(context_, "inproc://clients-" + name,
                                         Server::ListenerOptionsForServer());
    workers_ = *protocol::Listener::Bind(context_, "inproc://workers-" + name,
                                         Server::ListenerOptionsForServer());
    images_ = std::make_unique<ImageService>(**store_, clock_, dir_.path());
    handler_ = std::make_unique<RpcHandler>(*images_);
    server_ = std::make_unique<Server>(*clients_, *handler_, clock_,
                                       ServerOptions{milliseconds(0), milliseconds(20)});
    sender_ = std::make_unique<OutboxJobSender>(*server_);
    pool_ = std::make_unique<WorkerPool>(clock_, *sender_);
    builds_ = std::make_unique<BuildService>(**store_, *pool_, clock_, *server_);
    server_->AttachBuilds(*workers_, *builds_, *pool_);
    server_thread_ = std::thread([this] { served_ = server_->Run(); });
  }

  void TearDown() override {
    workers_list_.clear();
    auto client = *protocol::Connection::Connect(context_, clients_->endpoint());
    Envelope shutdown = protocol::NewEnvelope(client->NextRequestId());
    shutdown.mutable_shutdown();
    EXPECT_TRUE(client->Call(shutdown, milliseconds(5000)).ok());
    server_thread_.join();
    EXPECT_TRUE(served_.ok()) << served_.ToString();
    builds_.reset();
  }

  ScriptedWorker& AddWorker(const std::string& id) {
    workers_list_.push_back(
        std::make_unique<ScriptedWorker>(context_, workers_->endpoint(), id));
    ScriptedWorker& w = *workers_list_.back();
    Status started = w.Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    return w;
  }

  // Polls (real time, bounded) until `done`.
  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return done();
  }

  // How long the pool has not heard from worker `id` (fake time), or -1.
  int64_t SilentNanos(const std::string& id) {
    for (const WorkerPool::WorkerInfo& w : pool_->Workers()) {
      if (w.id == id && !w.lost) return w.silent_nanos;
    }
    return -1;
  }

  cache::TempDir dir_;
  FakeClock clock_;
  Result<std::unique_ptr<cache::Store>> store_ = cache::Store::Open(dir_.path() + "/store");
  protocol::Context context_;
  std::unique_ptr<protocol::Listener> clients_, workers_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<RpcHandler> handler_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<OutboxJobSender> sender_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<BuildService> builds_;
  std::thread server_thread_;
  Status served_;
  std::vector<std::unique_ptr<ScriptedWorker>> workers_list_;
};

// A worker that vanishes with a job is declared dead after 5 s without a
// heartbeat (fake time), the job runs on the other worker, the build
// succeeds, and its progress says why the step ran again. The other worker
// beats every fake second, and lives.
TEST_F(InprocClusterTest, AVanishedWorkersJobRunsOnTheOtherAndTheBuildSucceeds) {
  ScriptedWorker& a = AddWorker("a");
  ScriptedWorker& b = AddWorker("b");
  ASSERT_TRUE(WaitFor([&] { return SilentNanos("a") >= 0 && SilentNanos("b") >= 0; }));
  a.GoSilent();  // a takes the job (first of two idle workers) and never answers

  auto client = *protocol::Connection::Connect(context_, clients_->endpoint());
  Envelope submit = protocol::NewEnvelope(client->NextRequestId());
  submit.mutable_submit_build()->set_dockerfile("FROM scratch\nRUN make\n");
  submit.mutable_submit_build()->set_dockerfile_name("Dockerfile");
  submit.mutable_submit_build()->add_tags("inproc:latest");
  ASSERT_TRUE(client->Send(submit).ok());
  ASSERT_TRUE(WaitFor([&] { return !a.jobs().empty(); })) << "the job never reached a";
  EXPECT_TRUE(b.jobs().empty());

  // Fake seconds pass; b's heartbeat is in before each next step.
  for (int second = 1; second <= 10 && b.jobs().empty(); ++second) {
    clock_.Advance(kSecond);
    ASSERT_TRUE(b.Beat().ok());
    ASSERT_TRUE(WaitFor([&] { return SilentNanos("b") < kSecond || !b.jobs().empty(); }));
  }
  ASSERT_EQ(b.jobs().size(), 1u) << "the job did not move to b";
  EXPECT_EQ(SilentNanos("a"), -1) << "a is still in the pool";
  EXPECT_GE(SilentNanos("b"), 0) << "b, which beat, was dropped too";

  std::vector<std::string> retries;
  std::optional<v1::BuildResult> result;
  for (int i = 0; i < 100 && !result; ++i) {
    Result<Envelope> in = client->Receive(milliseconds(5000));
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    if (in->request_id() != submit.request_id()) continue;
    ASSERT_FALSE(in->has_error()) << in->error().message();
    if (in->has_build_event() && in->build_event().has_retry()) {
      retries.push_back(in->build_event().retry().reason());
    }
    if (in->has_build_result()) result = in->build_result();
  }
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(retries, std::vector<std::string>{"worker lost"});
  EXPECT_TRUE(a.error().ok()) << a.error().ToString();
  EXPECT_TRUE(b.error().ok()) << b.error().ToString();
  EXPECT_TRUE(images_->Inspect("inproc:latest").ok());
}

}  // namespace
}  // namespace strata::coordinator
