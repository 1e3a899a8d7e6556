#include "coordinator/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace strata::coordinator {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// A clock the test moves; safe to read from the pool's callers' threads.
class TestClock : public Clock {
 public:
  int64_t NowUnixNanos() override { return now_; }
  int64_t NowMonotonicNanos() override { return monotonic_; }
  void Advance(int64_t nanos) {
    now_ += nanos;
    monotonic_ += nanos;
  }
  // The wall clock alone, as an NTP step moves it.
  void StepWall(int64_t nanos) { now_ += nanos; }

 private:
  std::atomic<int64_t> now_{1'700'000'000 * kSecond};
  std::atomic<int64_t> monotonic_{kSecond};
};

class RecordingSender : public JobSender {
 public:
  Status SendJob(const std::string& peer, const v1::Job& job) override {
    std::lock_guard lock(mu_);
    if (peer == unreachable) return Status::Unavailable("peer disconnected");
    sent.emplace_back(peer, job.job_id());
    return Status::OK();
  }
  void SendCancel(const std::string& peer, const std::string& job_id,
                  const std::string& reason) override {
    std::lock_guard lock(mu_);
    cancels.emplace_back(peer, job_id);
  }
  std::vector<std::pair<std::string, std::string>> Sent() {
    std::lock_guard lock(mu_);
    return sent;
  }
  std::vector<std::pair<std::string, std::string>> Cancels() {
    std::lock_guard lock(mu_);
    return cancels;
  }
  std::string unreachable;
  std::vector<std::pair<std::string, std::string>> sent;     // (peer, job_id)
  std::vector<std::pair<std::string, std::string>> cancels;  // (peer, job_id)

 private:
  std::mutex mu_;
};

v1::Register Reg(const std::string& id, uint32_t slots) {
  v1::Register r;
  r.set_worker_id(id);
  r.set_slots(slots);
  return r;
}

v1::Job Job(const std::string& id, std::vector<std::string> chain = {},
           const std::string& build = "") {
  v1::Job job;
  job.set_job_id(id);
  job.set_build_id(build);
  job.set_instruction("RUN " + id);
  for (auto& d : chain) job.add_parent_chain(d);
  return job;
}

v1::JobResult Done(const std::string& id, const std::string& diff_id = "sha256:out") {
  v1::JobResult r;
  r.set_job_id(id);
  r.set_layer_digest("sha256:blob");
  r.set_diff_id(diff_id);
  return r;
}

// `message` as sent by worker `worker_id`.
template <typename M>
M From(const std::string& worker_id, M message) {
  message.set_worker_id(worker_id);
  return message;
}

// The worker of a test peer name: "peer-a2" is worker "a" come back.
std::string WorkerOf(const std::string& peer) { return peer.substr(5, 1); }

v1::Heartbeat Beat(const std::string& id, std::vector<std::string> snapshots = {}) {
  v1::Heartbeat h;
  h.set_worker_id(id);
  for (auto& s : snapshots) h.add_snapshots(s);
  return h;
}

class WorkerPoolTest : public ::testing::Test {
 protected:
  // Workers registered now (Workers() also lists those lost lately).
  size_t LiveWorkers() const {
    size_t n = 0;
    for (const WorkerPool::WorkerInfo& w : pool_.Workers()) n += w.lost ? 0 : 1;
    return n;
  }

  TestClock clock_;
  RecordingSender sender_;
  WorkerPool pool_{clock_, sender_};
};

TEST_F(WorkerPoolTest, RegisterRepliesWithTheHeartbeatContract) {
  v1::Registered reply = pool_.Register("peer-a", Reg("a", 2));
  EXPECT_EQ(reply.heartbeat_interval_ms(), 1000u);
  EXPECT_EQ(reply.dead_after_ms(), 5000u);
  ASSERT_EQ(pool_.Workers().size(), 1u);
  EXPECT_EQ(pool_.Workers()[0].peer, "peer-a");
}

TEST_F(WorkerPoolTest, JobsWaitForAWorkerAndCompleteWithTheirResult) {
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  EXPECT_TRUE(sender_.Sent().empty());
  EXPECT_EQ(pool_.outstanding_jobs(), 1u);
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  ASSERT_EQ(sender_.Sent().size(), 1u);
  EXPECT_EQ(sender_.Sent()[0], std::make_pair(std::string("peer-a"), std::string("j1-1")));
  pool_.OnJobResult(From("a", Done("j1-1")));
  Result<v1::JobResult> result = pool_.Wait(ticket);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->layer_digest(), "sha256:blob");
  EXPECT_EQ(pool_.outstanding_jobs(), 0u);
}

TEST_F(WorkerPoolTest, NeverMoreThanSlotsPerWorker) {
  pool_.Register("peer-a", Reg("a", 2));
  pool_.Tick();
  auto t1 = pool_.Submit(Job("j1"), nullptr);
  auto t2 = pool_.Submit(Job("j2"), nullptr);
  auto t3 = pool_.Submit(Job("j3"), nullptr);
  EXPECT_EQ(sender_.Sent().size(), 2u);
  pool_.OnJobResult(From("a", Done("j1-1")));
  ASSERT_EQ(sender_.Sent().size(), 3u);
  EXPECT_EQ(sender_.Sent()[2].second, "j3-1");
}

TEST_F(WorkerPoolTest, LeastLoadedWorkerWithoutLocality) {
  pool_.Register("peer-a", Reg("a", 4));
  pool_.Tick();
  pool_.Register("peer-b", Reg("b", 4));
  pool_.Tick();
  pool_.Submit(Job("j1"), nullptr);
  pool_.Submit(Job("j2"), nullptr);
  auto sent = sender_.Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_NE(sent[0].first, sent[1].first);
}

TEST_F(WorkerPoolTest, PrefersTheWorkerHoldingTheParentSnapshot) {
  pool_.Register("peer-a", Reg("a", 4));
  pool_.Tick();
  pool_.Register("peer-b", Reg("b", 4));
  pool_.Tick();
  ASSERT_TRUE(pool_.Heartbeat(Beat("b", {"sha256:base"})).ok());
  pool_.Submit(Job("j1", {"sha256:base"}), nullptr);
  pool_.Submit(Job("j2", {"sha256:base"}), nullptr);
  for (const auto& [peer, job] : sender_.Sent()) EXPECT_EQ(peer, "peer-b") << job;
}

TEST_F(WorkerPoolTest, AWorkerHoldsWhatItJustBuilt) {
  pool_.Register("peer-a", Reg("a", 4));
  pool_.Tick();
  pool_.Register("peer-b", Reg("b", 4));
  pool_.Tick();
  pool_.Submit(Job("j1"), nullptr);
  std::string first = sender_.Sent()[0].first;
  pool_.OnJobResult(From(WorkerOf(first), Done("j1-1", "sha256:l1")));
  pool_.Submit(Job("j2", {"sha256:l1"}), nullptr);
  EXPECT_EQ(sender_.Sent()[1].first, first);
}

TEST_F(WorkerPoolTest, HeartbeatFromAnUnknownWorkerIsNotFound) {
  Status s = pool_.Heartbeat(Beat("ghost"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("register again"), std::string::npos);
}

TEST_F(WorkerPoolTest, ASilentWorkerIsDeadAndItsJobsRunElsewhere) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  ASSERT_EQ(sender_.Sent().size(), 1u);
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  clock_.Advance(3 * kSecond);
  ASSERT_TRUE(pool_.Heartbeat(Beat("b")).ok());
  pool_.Tick();  // a: 3 s silent, still alive
  EXPECT_EQ(LiveWorkers(), 2u);
  clock_.Advance(2 * kSecond);
  pool_.Tick();  // a: 5 s silent -> dead; b heard 2 s ago
  ASSERT_EQ(LiveWorkers(), 1u);
  auto sent = sender_.Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1], std::make_pair(std::string("peer-b"), std::string("j1-2")));
  EXPECT_EQ(pool_.Heartbeat(Beat("a")).code(), StatusCode::kNotFound);
  pool_.OnJobResult(From("b", Done("j1-2")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
}

TEST_F(WorkerPoolTest, ALateResultFromTheDeadWorkerStillCompletesTheJobOnce) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  clock_.Advance(6 * kSecond);
  pool_.Tick();
  pool_.OnJobResult(From("a", Done("j1-1")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
  pool_.OnJobResult(From("a", Done("j1-1")));  // ignored
  EXPECT_EQ(pool_.outstanding_jobs(), 0u);
}

TEST_F(WorkerPoolTest, RetryableErrorsRunAgainUpToTheLimit) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  v1::JobResult failed;
  failed.set_job_id("j1");
  failed.mutable_error()->set_code(4);
  failed.mutable_error()->set_message("disk full");
  failed.mutable_error()->set_retryable(true);
  for (int i = 1; i <= WorkerPool::kMaxAttempts; ++i) {
    failed.set_job_id("j1-" + std::to_string(i));
    pool_.OnJobResult(From("a", failed));
  }
  EXPECT_EQ(sender_.Sent().size(), static_cast<size_t>(WorkerPool::kMaxAttempts));
  Result<v1::JobResult> result = pool_.Wait(ticket);
  ASSERT_TRUE(result.ok());  // the last error is the job's result
  EXPECT_EQ(result->error().message(), "disk full");
}

// A worker that failed a job (its disk is full) is not given the retry
// while another worker can take it, even one busy now or without the
// parent: the job runs elsewhere.
TEST_F(WorkerPoolTest, ARetryGoesToAnotherWorkerThanTheOneThatFailedIt) {
  pool_.Register("peer-a", Reg("a", 2));
  pool_.Tick();
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  ASSERT_TRUE(pool_.Heartbeat(Beat("a", {"sha256:base"})).ok());
  ASSERT_TRUE(pool_.Heartbeat(Beat("b", {"sha256:other"})).ok());
  pool_.Submit(Job("busy", {"sha256:other"}), nullptr);  // to b, now full
  ASSERT_EQ(sender_.Sent().back().first, "peer-b");
  auto ticket = pool_.Submit(Job("j1", {"sha256:base"}), nullptr);
  ASSERT_EQ(sender_.Sent().back().first, "peer-a");  // locality
  v1::JobResult failed;
  failed.set_job_id("j1-1");
  failed.mutable_error()->set_code(static_cast<int>(StatusCode::kIOError));
  failed.mutable_error()->set_message("worker a's disk is full");
  failed.mutable_error()->set_retryable(true);
  pool_.OnJobResult(From("a", failed));
  EXPECT_EQ(sender_.Sent().size(), 2u) << "the retry went back to the worker that failed it";
  pool_.OnJobResult(From("b", Done("busy-1")));  // b has a slot again
  ASSERT_EQ(sender_.Sent().size(), 3u);
  EXPECT_EQ(sender_.Sent().back(), (std::pair<std::string, std::string>{"peer-b", "j1-2"}));
  pool_.OnJobResult(From("b", Done("j1-2")));
  Result<v1::JobResult> result = pool_.Wait(ticket);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->has_error());
}

TEST_F(WorkerPoolTest, UserErrorsAreNotRetried) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  v1::JobResult failed;
  failed.set_job_id("j1-1");
  failed.mutable_error()->set_code(1);
  failed.mutable_error()->set_message("no such file");
  pool_.OnJobResult(From("a", failed));
  EXPECT_EQ(sender_.Sent().size(), 1u);
  EXPECT_EQ(pool_.Wait(ticket)->error().message(), "no such file");
}

TEST_F(WorkerPoolTest, AnUnreachableWorkerIsDroppedAndTheJobGoesElsewhere) {
  sender_.unreachable = "peer-a";
  pool_.Register("peer-a", Reg("a", 4));
  pool_.Tick();
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  pool_.Submit(Job("j1"), nullptr);
  ASSERT_EQ(sender_.Sent().size(), 1u);
  EXPECT_EQ(sender_.Sent()[0].first, "peer-b");
  EXPECT_EQ(LiveWorkers(), 1u);
}

TEST_F(WorkerPoolTest, ReRegisteringRequeuesTheJobsTheWorkerHad) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  pool_.Submit(Job("j1"), nullptr);
  pool_.Register("peer-a2", Reg("a", 1));
  pool_.Tick();
  auto sent = sender_.Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1], std::make_pair(std::string("peer-a2"), std::string("j1-2")));
}

TEST_F(WorkerPoolTest, EachRetryIsAnnouncedBeforeItsRun) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  std::vector<std::string> seen;  // retries and log lines, in order
  auto ticket = pool_.Submit(
      Job("j1"), [&](const v1::JobLog& log) { seen.push_back(log.line().data()); },
      [&](const JobRetry& r) {
        seen.push_back("retry " + std::to_string(r.attempt) + "/" +
                       std::to_string(r.max_attempts) + ": " + r.reason);
      });
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  clock_.Advance(3 * kSecond);
  ASSERT_TRUE(pool_.Heartbeat(Beat("b")).ok());
  clock_.Advance(3 * kSecond);
  pool_.Tick();  // a is lost with j1; b takes it
  ASSERT_EQ(sender_.Sent().size(), 2u);
  v1::JobLog log;
  log.set_job_id("j1-2");
  log.mutable_line()->set_data("output of run 2");
  pool_.OnJobLog(From("b", log));
  v1::JobResult failed;
  failed.set_job_id("j1-2");
  failed.mutable_error()->set_message("disk full");
  failed.mutable_error()->set_retryable(true);
  pool_.OnJobResult(From("b", failed));
  pool_.OnJobResult(From("b", Done("j1-3")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"retry 2/3: worker lost", "output of run 2",
                                            "retry 3/3: disk full"}));
}

TEST_F(WorkerPoolTest, AStepThatCrashesItsWorkerTwiceFailsWithoutAThirdRun) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  int retries = 0;
  auto ticket = pool_.Submit(Job("j1"), nullptr, [&](const JobRetry&) { ++retries; });
  pool_.Register("peer-a2", Reg("a", 1));  // the worker died and came back
  pool_.Tick();
  ASSERT_EQ(sender_.Sent().size(), 2u);
  pool_.Register("peer-a3", Reg("a", 1));  // again, with the same job
  pool_.Tick();
  Result<v1::JobResult> result = pool_.Wait(ticket);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("step crashed the worker 2 times; not retried: worker "
                                           "a was lost: it registered again (restarted?); the worker's "
                                           "log says how it died"),
            std::string::npos)
      << result.status().message();
  EXPECT_EQ(sender_.Sent().size(), 2u);  // no third run
  EXPECT_EQ(retries, 1);
  EXPECT_EQ(pool_.outstanding_jobs(), 0u);
}

TEST_F(WorkerPoolTest, ASuspectRunsAloneSoThatTheSecondLossIsItsOwn) {
  pool_.Register("peer-a", Reg("a", 2));
  pool_.Tick();
  auto culprit = pool_.Submit(Job("j1"), nullptr);
  auto innocent = pool_.Submit(Job("j2"), nullptr);
  ASSERT_EQ(sender_.Sent().size(), 2u);
  pool_.Register("peer-b", Reg("b", 2));
  pool_.Tick();
  pool_.Register("peer-a2", Reg("a", 2));  // a died running both
  pool_.Tick();
  // Both are suspects: one at a time, each on a worker of its own.
  auto sent = sender_.Sent();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[2].second, "j1-2");
  EXPECT_EQ(sent[3].second, "j2-2");
  EXPECT_NE(sent[2].first, sent[3].first);
  // A new job does not join a worker that runs a suspect.
  auto later = pool_.Submit(Job("j3"), nullptr);
  EXPECT_EQ(sender_.Sent().size(), 4u);
  // j1's worker dies again: j1 is blamed, j2 finishes, j3 runs.
  std::string j1_worker = sent[2].first == "peer-b" ? "b" : "a";
  std::string j1_peer = sent[2].first;
  pool_.Register(j1_peer + "-restarted", Reg(j1_worker, 2));
  pool_.Tick();
  Result<v1::JobResult> blamed = pool_.Wait(culprit);
  ASSERT_FALSE(blamed.ok());
  EXPECT_NE(blamed.status().message().find("step crashed the worker 2 times"), std::string::npos);
  ASSERT_EQ(sender_.Sent().size(), 5u);
  EXPECT_EQ(sender_.Sent()[4].second, "j3-1");
  pool_.OnJobResult(From(WorkerOf(sent[3].first), Done("j2-2")));
  pool_.OnJobResult(From(WorkerOf(sender_.Sent()[4].first), Done("j3-1")));
  EXPECT_TRUE(pool_.Wait(innocent).ok());
  EXPECT_TRUE(pool_.Wait(later).ok());
}

TEST_F(WorkerPoolTest, OneLossIsTheWorkersAndTheJobRunsAgain) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  pool_.Register("peer-a2", Reg("a", 2));
  pool_.Tick();
  pool_.OnJobResult(From("a", Done("j1-2")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
  // Once done, a former suspect no longer keeps others off its worker.
  pool_.Submit(Job("j2"), nullptr);
  pool_.Submit(Job("j3"), nullptr);
  EXPECT_EQ(sender_.Sent().size(), 4u);
}

TEST_F(WorkerPoolTest, NoWorkerForTooLongFailsTheJob) {
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  pool_.Tick();
  clock_.Advance(61 * kSecond);
  pool_.Tick();
  Result<v1::JobResult> result = pool_.Wait(ticket);
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("strata-worker"), std::string::npos);
}

TEST_F(WorkerPoolTest, LogsReachTheWaitingBuild) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  std::vector<std::string> lines;
  pool_.Submit(Job("j1"), [&](const v1::JobLog& log) { lines.push_back(log.line().data()); });
  v1::JobLog log;
  log.set_job_id("j1-1");
  log.mutable_line()->set_data("hello");
  pool_.OnJobLog(From("a", log));
  EXPECT_EQ(lines, std::vector<std::string>{"hello"});
}

TEST_F(WorkerPoolTest, RunJobBlocksUntilTheResultArrivesFromAnotherThread) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  std::thread worker([&] {
    while (sender_.Sent().empty()) std::this_thread::yield();
    pool_.OnJobResult(From(WorkerOf(sender_.Sent()[0].first), Done(sender_.Sent()[0].second)));
  });
  Result<v1::JobResult> result = pool_.RunJob(Job("j1"), nullptr);
  worker.join();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->job_id(), "j1-1");
}

// The bugs of issue 11: a result is the answer of one attempt, from the
// worker it was sent to, and of nothing else.
TEST_F(WorkerPoolTest, AResultFromAWorkerTheAttemptWasNotSentToIsIgnored) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  ASSERT_EQ(sender_.Sent().size(), 1u);
  auto [to, id] = sender_.Sent()[0];
  std::string other = to == "peer-a" ? "peer-b" : "peer-a";
  pool_.OnJobResult(From(WorkerOf(other), Done(id, "sha256:forged")));
  pool_.OnJobResult(From("stranger", Done(id, "sha256:forged")));
  EXPECT_EQ(pool_.outstanding_jobs(), 1u) << "a stranger's result completed the job";
  pool_.OnJobResult(From(WorkerOf(to), Done(id, "sha256:real")));
  Result<v1::JobResult> result = pool_.Wait(ticket);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->diff_id(), "sha256:real");
}

TEST_F(WorkerPoolTest, AnErrorFromAnEarlierAttemptIsIgnoredAndASuccessCompletes) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  clock_.Advance(3 * kSecond);
  ASSERT_TRUE(pool_.Heartbeat(Beat("b")).ok());
  clock_.Advance(3 * kSecond);
  pool_.Tick();  // a is lost with j1-1; b runs j1-2
  ASSERT_EQ(sender_.Sent().size(), 2u);
  ASSERT_EQ(sender_.Sent()[1], std::make_pair(std::string("peer-b"), std::string("j1-2")));
  v1::JobResult failed;
  failed.set_job_id("j1-1");
  failed.mutable_error()->set_message("disk full");
  failed.mutable_error()->set_retryable(true);
  pool_.OnJobResult(From("a", failed));  // the lost run's error: ignored, no third run
  EXPECT_EQ(sender_.Sent().size(), 2u);
  EXPECT_EQ(pool_.outstanding_jobs(), 1u);
  pool_.OnJobResult(From("b", Done("j1-1", "sha256:forged")));  // j1-1 was not sent to b
  EXPECT_EQ(pool_.outstanding_jobs(), 1u);
  pool_.OnJobResult(From("b", Done("j1-2", "sha256:out2")));
  Result<v1::JobResult> result = pool_.Wait(ticket);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->diff_id(), "sha256:out2");
}

// After a restart the coordinator has never sent the ids a worker may still
// answer: those results are dropped.
TEST_F(WorkerPoolTest, AResultForAnIdNeverSentIsIgnored) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  pool_.OnJobResult(From("a", Done("j1", "sha256:old")));  // the pre-restart id
  pool_.OnJobResult(From("a", Done("j1-2", "sha256:old")));
  EXPECT_EQ(pool_.outstanding_jobs(), 1u);
  pool_.OnJobResult(From("a", Done("j1-1")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
}

// Issue 11: a job the worker dropped (no connection for it, its result
// lost) used to hang its build while the worker's heartbeats went on.
TEST_F(WorkerPoolTest, AJobTwoHeartbeatsLeaveOutRunsAgain) {
  pool_.Register("peer-a", Reg("a", 2));
  pool_.Tick();
  std::vector<std::string> retries;
  auto ticket =
      pool_.Submit(Job("j1"), nullptr, [&](const JobRetry& r) { retries.push_back(r.reason); });
  auto other = pool_.Submit(Job("j2"), nullptr);
  ASSERT_EQ(sender_.Sent().size(), 2u);
  v1::Heartbeat beat = Beat("a");
  beat.set_running_jobs(1);
  beat.add_running_job_ids("j2-1");  // j1-1 is not running there
  ASSERT_TRUE(pool_.Heartbeat(beat).ok());
  EXPECT_EQ(sender_.Sent().size(), 2u) << "one miss may be a Job still on its way";
  ASSERT_TRUE(pool_.Heartbeat(beat).ok());
  ASSERT_EQ(sender_.Sent().size(), 3u);
  EXPECT_EQ(sender_.Sent()[2].second, "j1-2");
  EXPECT_EQ(retries, std::vector<std::string>{"lost by its worker"});
  pool_.OnJobResult(From("a", Done("j1-2")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
  EXPECT_EQ(pool_.outstanding_jobs(), 1u);  // j2 still runs
}

TEST_F(WorkerPoolTest, AHeartbeatWithoutJobIdsJudgesNothing) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  pool_.Submit(Job("j1"), nullptr);
  v1::Heartbeat beat = Beat("a");
  beat.set_running_jobs(1);  // counts, lists none: a worker of before the rule
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool_.Heartbeat(beat).ok());
  EXPECT_EQ(sender_.Sent().size(), 1u);
  // Listed again after one miss: the count starts over.
  v1::Heartbeat listed = Beat("a");
  listed.set_running_jobs(1);
  listed.add_running_job_ids("j1-1");
  v1::Heartbeat empty = Beat("a");
  ASSERT_TRUE(pool_.Heartbeat(empty).ok());
  ASSERT_TRUE(pool_.Heartbeat(listed).ok());
  ASSERT_TRUE(pool_.Heartbeat(empty).ok());
  EXPECT_EQ(sender_.Sent().size(), 1u);
}

TEST_F(WorkerPoolTest, ShutdownCancelsWaitingJobs) {
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  pool_.Shutdown();
  EXPECT_EQ(pool_.Wait(ticket).status().code(), StatusCode::kCancelled);
  EXPECT_EQ(pool_.Wait(pool_.Submit(Job("j2"), nullptr)).status().code(), StatusCode::kCancelled);
}

TEST_F(WorkerPoolTest, CancelTakesAQueuedJobOffTheQueue) {
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  pool_.Cancel("j1", Status::Cancelled("the client went away"));
  Result<v1::JobResult> result = pool_.Wait(ticket);
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(result.status().message(), "the client went away");
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  EXPECT_TRUE(sender_.Sent().empty());  // never dispatched
  EXPECT_TRUE(sender_.Cancels().empty());
  EXPECT_EQ(pool_.outstanding_jobs(), 0u);
}

TEST_F(WorkerPoolTest, CancelTellsTheWorkerRunningItAndFreesTheSlot) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  auto t1 = pool_.Submit(Job("j1"), nullptr);
  auto t2 = pool_.Submit(Job("j2"), nullptr);
  ASSERT_EQ(sender_.Sent().size(), 1u);
  pool_.Cancel("j1", Status::Cancelled("build cancelled"));
  ASSERT_EQ(sender_.Cancels().size(), 1u);
  EXPECT_EQ(sender_.Cancels()[0], std::make_pair(std::string("peer-a"), std::string("j1-1")));
  EXPECT_EQ(pool_.Wait(t1).status().code(), StatusCode::kCancelled);
  // The slot went to the next job; the cancelled run's late result is nobody's.
  ASSERT_EQ(sender_.Sent().size(), 2u);
  EXPECT_EQ(sender_.Sent()[1].second, "j2-1");
  pool_.OnJobResult(From("a", Done("j1-1")));
  pool_.OnJobResult(From("a", Done("j2-1")));
  EXPECT_TRUE(pool_.Wait(t2).ok());
}

TEST_F(WorkerPoolTest, RunJobStopsWhenItsScopeIsCancelled) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  BuildScope scope("b1", nullptr, nullptr);
  Result<v1::JobResult> result = Status::OK();
  std::thread build([&] { result = pool_.RunJob(Job("b1-1"), nullptr, nullptr, &scope); });
  for (int i = 0; i < 1000 && sender_.Sent().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(sender_.Sent().size(), 1u);
  scope.Cancel(Status::Cancelled("the client went away"));
  build.join();
  EXPECT_EQ(result.status().message(), "the client went away");
  ASSERT_EQ(sender_.Cancels().size(), 1u);
  EXPECT_EQ(sender_.Cancels()[0].second, "b1-1-1");
}

TEST_F(WorkerPoolTest, RunJobOfAnAlreadyCancelledScopeDoesNotRun) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  BuildScope scope("b1", nullptr, nullptr);
  scope.Cancel(Status::TimedOut("--timeout"));
  Result<v1::JobResult> result = pool_.RunJob(Job("b1-1"), nullptr, nullptr, &scope);
  EXPECT_EQ(result.status().code(), StatusCode::kTimedOut);
  EXPECT_EQ(pool_.outstanding_jobs(), 0u);
}

TEST_F(WorkerPoolTest, AJobPastTheJobTimeoutIsStoppedAndFails) {
  WorkerPool pool(clock_, sender_, {.job_timeout_ms = 30'000});
  pool.Register("peer-a", Reg("a", 1));
  pool.Tick();
  auto ticket = pool.Submit(Job("j1"), nullptr);
  v1::Heartbeat beat = Beat("a");
  beat.set_running_jobs(1);
  beat.add_running_job_ids("j1-1");
  for (int second = 1; second <= 29; ++second) {  // alive all along
    clock_.Advance(kSecond);
    ASSERT_TRUE(pool.Heartbeat(beat).ok());
    pool.Tick();
  }
  EXPECT_TRUE(sender_.Cancels().empty());
  clock_.Advance(2 * kSecond);
  ASSERT_TRUE(pool.Heartbeat(beat).ok());
  pool.Tick();
  ASSERT_EQ(sender_.Cancels().size(), 1u);
  Result<v1::JobResult> result = pool.Wait(ticket);
  EXPECT_EQ(result.status().code(), StatusCode::kTimedOut);
  EXPECT_NE(result.status().message().find("job timeout of 30 s"), std::string::npos);
}

// Liveness runs on the monotonic clock: a step of the wall clock (NTP, a
// VM resumed) does not declare every worker dead.
TEST_F(WorkerPoolTest, AWallClockStepKillsNoWorker) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  clock_.StepWall(3600 * kSecond);
  pool_.Tick();
  EXPECT_EQ(LiveWorkers(), 1u);
  clock_.Advance(6 * kSecond);  // real silence still counts
  pool_.Tick();
  // Shown as lost for 10 minutes, then forgotten.
  ASSERT_EQ(pool_.Workers().size(), 1u);
  EXPECT_TRUE(pool_.Workers()[0].lost);
  clock_.Advance(600 * kSecond);
  pool_.Tick();
  EXPECT_TRUE(pool_.Workers().empty());
}

// Round-robin between builds: a build with many ready jobs does not hold
// the queue against one submitted after them.
TEST_F(WorkerPoolTest, BuildsShareTheQueueRoundRobin) {
  pool_.Register("peer-a", Reg("a", 1));
  pool_.Tick();
  std::vector<std::shared_ptr<WorkerPool::Ticket>> tickets;
  for (int i = 1; i <= 4; ++i) {
    tickets.push_back(pool_.Submit(Job("big-" + std::to_string(i), {}, "big"), nullptr));
  }
  tickets.push_back(pool_.Submit(Job("small-1", {}, "small"), nullptr));
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) {
    auto sent = sender_.Sent();
    ASSERT_EQ(sent.size(), static_cast<size_t>(i + 1));
    order.push_back(sent.back().second);
    pool_.OnJobResult(From("a", Done(sent.back().second)));
  }
  // big-1 was out first; small's job goes next, not after all of big's.
  EXPECT_EQ(order[0], "big-1-1");
  EXPECT_EQ(order[1], "small-1-1");
  EXPECT_EQ(order[2], "big-2-1");
}

TEST_F(WorkerPoolTest, ADrainingWorkerGetsNoNewJob) {
  pool_.Register("peer-a", Reg("a", 4));
  pool_.Tick();
  v1::Heartbeat draining = Beat("a");
  draining.set_draining(true);
  ASSERT_TRUE(pool_.Heartbeat(draining).ok());
  auto ticket = pool_.Submit(Job("j1"), nullptr);
  EXPECT_TRUE(sender_.Sent().empty());
  ASSERT_EQ(pool_.Workers().size(), 1u);
  EXPECT_TRUE(pool_.Workers()[0].draining);
  pool_.Register("peer-b", Reg("b", 1));
  pool_.Tick();
  ASSERT_EQ(sender_.Sent().size(), 1u);
  EXPECT_EQ(sender_.Sent()[0].first, "peer-b");
  pool_.OnJobResult(From("b", Done("j1-1")));
  EXPECT_TRUE(pool_.Wait(ticket).ok());
}

}  // namespace
}  // namespace strata::coordinator
