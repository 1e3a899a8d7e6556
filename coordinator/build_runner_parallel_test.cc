// BuildRunner: independent stages in parallel, the first failure stopping
// the build, and identical in-flight steps coalesced across builds.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "coordinator/build_runner_test_fixture.h"

namespace strata::coordinator {
namespace {

using std::chrono::milliseconds;

// Forwards to the fake runner; a step whose text contains "gate" waits
// until `open` (bounded: 10 s), and records how many steps ran at once.
class GateRunner : public StepRunner {
 public:
  explicit GateRunner(FakeStepRunner& inner) : inner_(inner) {}

  Result<StepOutcome> Run(const StepJob& job, BuildScope& scope) override {
    bool gated = job.step.text.find("gate") != std::string::npos;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++running_;
      ++entered_;
      max_running_ = std::max(max_running_, running_);
      cv_.notify_all();
      if (gated) cv_.wait_for(lock, std::chrono::seconds(10), [&] { return open_; });
    }
    Result<StepOutcome> outcome = inner_.Run(job, scope);
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    return outcome;
  }

  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits (bounded: 10 s) until `n` steps have entered.
  bool WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= n; });
  }
  int max_running() {
    std::lock_guard<std::mutex> lock(mu_);
    return max_running_;
  }

 private:
  FakeStepRunner& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int running_ = 0;
  int entered_ = 0;
  int max_running_ = 0;
};

// Waits (bounded: 10 s) until `done` holds.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 10000 && !done(); ++i) std::this_thread::sleep_for(milliseconds(1));
  return done();
}

constexpr char kTwoBranches[] =
    "FROM scratch AS a\nRUN gate-a\nRUN after-a\n"
    "FROM scratch AS b\nRUN gate-b\n"
    "FROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n";

TEST_F(BuildRunnerTest, IndependentStagesRunAtTheSameTime) {
  GateRunner gate(*fake_);
  step_runner_ = &gate;
  // Both gated steps must be inside the runner at once before either may
  // finish: sequential stages would never get there.
  std::thread opener([&] {
    if (gate.WaitEntered(2)) gate.Open();
  });
  Result<BuildResult> r = Build(kTwoBranches);
  gate.Open();
  opener.join();
  ASSERT_OK(r);
  EXPECT_EQ(gate.max_running(), 2);

  // Reports, numbers and totals as in the sequential order.
  ASSERT_EQ(r->steps.size(), 5u);
  EXPECT_EQ(r->steps[0].text, "RUN gate-a");
  EXPECT_EQ(r->steps[2].text, "RUN gate-b");
  EXPECT_EQ(r->steps[4].text, "COPY --from=b /b /b");
  for (const BuildEvent& e : sink_.events) {
    if (e.kind != BuildEvent::Kind::kStarted) continue;
    EXPECT_EQ(e.total, 5);
    if (e.text == "RUN gate-b") {
      EXPECT_EQ(e.index, 3);
    } else if (e.text == "COPY --from=b /b /b") {
      EXPECT_EQ(e.index, 5);
    }
  }
  // The final stage waited for both: its COPYs came last.
  std::vector<StepJob> jobs = fake_->jobs();
  ASSERT_EQ(jobs.size(), 5u);
  EXPECT_EQ(jobs[3].step.text.rfind("COPY --from=", 0), 0u);
  EXPECT_EQ(jobs[4].step.text.rfind("COPY --from=", 0), 0u);

  // The same result as a sequential build: a warm rebuild (sequential or
  // not, every key is the same) serves every step and gives the same image.
  step_runner_ = nullptr;
  Result<BuildResult> warm = Build(kTwoBranches);
  ASSERT_OK(warm);
  EXPECT_EQ(warm->cached_steps, 5);
  EXPECT_EQ(warm->image.id, r->image.id);
}

TEST_F(BuildRunnerTest, FirstFailureStopsTheBuildAndIsReported) {
  fake_->FailWhenTextContains("boom");
  BuildOptions options;
  options.tags = {"docker.io/library/app:latest"};
  Result<BuildResult> r = Build(
      "FROM scratch AS a\nRUN boom\n"
      "FROM scratch AS b\nRUN b1\n"
      "FROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n",
      options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("Dockerfile:2: RUN boom: process", 0), 0u)
      << r.status().ToString();
  for (const StepJob& job : fake_->jobs()) {
    EXPECT_EQ(job.step.text.find("COPY"), std::string::npos) << job.step.text;
  }
  EXPECT_EQ(sink_.Count(BuildEvent::Kind::kError), 1);
  EXPECT_FALSE(ResolveImage(store_->metadata(), "app:latest").ok());
}

TEST_F(BuildRunnerTest, ConcurrentBuildsCoalesceTheSameStep) {
  GateRunner gate(*fake_);
  BuildRunner runner(*store_, gate, clock_, urls_.get());
  Result<dockerfile::BuildPlan> plan =
      dockerfile::ParseAndPlan("FROM scratch\nCOPY README /r\nRUN gate-slow\n", {});
  ASSERT_OK(plan);
  RecordingSink first_events, second_events;
  Result<BuildResult> first = Status::Internal("unset"), second = Status::Internal("unset");
  std::thread one([&] { first = runner.Build(*plan, &context_, {}, &first_events); });
  ASSERT_TRUE(gate.WaitEntered(2));  // COPY, then the gated RUN
  std::thread two([&] { second = runner.Build(*plan, &context_, {}, &second_events); });
  // The second build waits for the first's RUN instead of running it.
  bool waited = Eventually([&] { return runner.CoalescedWaiters() == 1; });
  gate.Open();
  one.join();
  two.join();
  ASSERT_TRUE(waited);
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(fake_->calls(), 2);  // COPY and RUN, once each
  EXPECT_EQ(first->ran_steps, 2);
  EXPECT_EQ(second->cached_steps, 2);
  EXPECT_TRUE(second->steps[1].cached);
  EXPECT_EQ(second_events.Count(BuildEvent::Kind::kCached), 2);
  EXPECT_EQ(second->image.id, first->image.id);
}

TEST_F(BuildRunnerTest, StagesOfOneBuildCoalesceTheSameStep) {
  GateRunner gate(*fake_);
  step_runner_ = &gate;
  std::thread opener([&] {
    if (gate.WaitEntered(1)) {
      std::this_thread::sleep_for(milliseconds(50));
      gate.Open();
    }
  });
  // Two stages with the same first step: one runs it.
  Result<BuildResult> r = Build(
      "FROM scratch AS a\nRUN gate-same\nFROM scratch AS b\nRUN gate-same\n"
      "FROM scratch\nCOPY --from=a /x /a\nCOPY --from=b /x /b\n");
  gate.Open();
  opener.join();
  ASSERT_OK(r);
  EXPECT_EQ(r->steps[0].key, r->steps[1].key);
  EXPECT_EQ(r->ran_steps + r->cached_steps, 4);
  EXPECT_EQ(r->ran_steps, 3);  // the shared RUN once, both COPYs
}

// A build whose client went away stops at once; a build waiting for its
// coalesced step does not inherit its end (nor its wait): it runs the
// step itself.
TEST_F(BuildRunnerTest, ACancelledBuildHandsItsCoalescedStepToTheOneWaiting) {
  BuildRunner runner(*store_, *fake_, clock_, urls_.get());
  Result<dockerfile::BuildPlan> plan = dockerfile::ParseAndPlan("FROM scratch\nRUN hold\n", {});
  ASSERT_OK(plan);
  fake_->HoldWhenTextContains("hold");
  BuildOptions options;
  options.tags = {"docker.io/library/gone:latest"};
  BuildScope gone("b-gone", nullptr, nullptr), waiting("b-waiting", nullptr, nullptr);
  Result<BuildResult> first = Status::Internal("unset"), second = Status::Internal("unset");
  std::thread one([&] { first = runner.Build(*plan, &context_, options, gone); });
  ASSERT_TRUE(Eventually([&] { return fake_->holding() == 1; }));
  std::thread two([&] { second = runner.Build(*plan, &context_, {}, waiting); });
  bool waited = Eventually([&] { return runner.CoalescedWaiters() == 1; });
  fake_->HoldWhenTextContains("");  // the next run of the step finishes
  gone.Cancel(Status::Cancelled("the build's client went away"));
  one.join();
  two.join();
  ASSERT_TRUE(waited);
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.status().message().find("client went away"), std::string::npos)
      << first.status().ToString();
  EXPECT_FALSE(ResolveImage(store_->metadata(), "gone:latest").ok());
  ASSERT_OK(second);
  EXPECT_EQ(second->ran_steps, 1);
  EXPECT_EQ(fake_->calls(), 2);
}

// A failed stage stops the others' running steps instead of waiting for them.
TEST_F(BuildRunnerTest, AFailedStageStopsTheOthersRunningSteps) {
  GateRunner gate(*fake_);
  step_runner_ = &gate;
  fake_->FailWhenTextContains("boom");
  fake_->HoldWhenTextContains("hold");
  // Stage b fails only once stage a's step is running.
  std::thread opener([&] {
    if (Eventually([&] { return fake_->holding() == 1; })) gate.Open();
  });
  Result<BuildResult> r = Build(
      "FROM scratch AS a\nRUN hold\n"
      "FROM scratch AS b\nRUN gate-boom\n"
      "FROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n");
  gate.Open();
  opener.join();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("RUN gate-boom"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(fake_->holds_cancelled(), 1);  // stopped, not left to its 10 s
}

}  // namespace
}  // namespace strata::coordinator
