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
#include "coordinator/testing/coordinator_under_test.h"
#include "coordinator/testing/scripted_worker.h"
#include "coordinator/worker_pool.h"
#include "protocol/connection.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;
using std::chrono::milliseconds;
using testing::ScriptedWorker;

constexpr int64_t kSecond = 1'000'000'000;

class InprocClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(coordinator_.status().ok()) << coordinator_.status().ToString();
    coordinator_.Run();
  }
  void TearDown() override {
    workers_.clear();
    EXPECT_TRUE(coordinator_.Stop().ok());
  }

  ScriptedWorker& AddWorker(const std::string& id) {
    workers_.push_back(std::make_unique<ScriptedWorker>(
        coordinator_.context(), coordinator_.workers().endpoint(), id));
    ScriptedWorker& w = *workers_.back();
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
    for (const WorkerPool::WorkerInfo& w : coordinator_.pool().Workers()) {
      if (w.id == id && !w.lost) return w.silent_nanos;
    }
    return -1;
  }

  cache::TempDir dir_;
  FakeClock clock_;
  const std::string name_ = std::to_string(reinterpret_cast<uintptr_t>(this));
  testing::CoordinatorUnderTest coordinator_{dir_.path(), clock_, "inproc://clients-" + name_,
                                             "inproc://workers-" + name_};
  std::vector<std::unique_ptr<ScriptedWorker>> workers_;
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

  auto client = *protocol::Connection::Connect(coordinator_.context(), coordinator_.clients().endpoint());
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
  EXPECT_TRUE(coordinator_.images().Inspect("inproc:latest").ok());
}

}  // namespace
}  // namespace strata::coordinator
