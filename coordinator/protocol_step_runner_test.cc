#include "coordinator/protocol_step_runner.h"

#include <gtest/gtest.h>

#include <optional>

#include "cache/memory_blob_store.h"
#include "dockerfile/plan.h"

namespace strata::coordinator {
namespace {

// Answers each job with a preset result; records the jobs.
class FakeJobRunner : public JobRunner {
 public:
  Result<v1::JobResult> RunJob(v1::Job job, LogFn on_log, RetryFn on_retry,
                               BuildScope* scope) override {
    jobs.push_back(job);
    scopes.push_back(scope);
    if (on_retry && retry) on_retry(*retry);
    if (on_log) {
      v1::JobLog log;
      log.set_job_id(job.job_id());
      log.mutable_line()->set_data("output line");
      on_log(log);
    }
    if (!status.ok()) return status;
    v1::JobResult r = result;
    r.set_job_id(job.job_id());
    return r;
  }
  std::vector<v1::Job> jobs;
  std::vector<BuildScope*> scopes;  // each job's
  std::optional<JobRetry> retry;  // announced before the output
  v1::JobResult result;
  Status status;
};

class FakeUploader : public ContextUploader {
 public:
  explicit FakeUploader(cache::BlobStore& blobs) : blobs_(blobs) {}
  Status Upload(const std::vector<Digest>& digests) override {
    requests.push_back(digests);
    for (const Digest& d : digests) {
      auto it = files.find(d);
      if (it != files.end()) TRY(blobs_.Put(it->second, d).status());
    }
    return Status::OK();
  }
  std::map<Digest, std::string> files;
  std::vector<std::vector<Digest>> requests;

 private:
  cache::BlobStore& blobs_;
};

class Events : public EventSink {
 public:
  void OnEvent(const BuildEvent& e) override { events.push_back(e); }
  std::vector<BuildEvent> events;
};

// The step at `index` of the last stage of `dockerfile`.
dockerfile::BuildStep StepOf(const std::string& dockerfile, size_t index) {
  auto plan = dockerfile::ParseAndPlan(dockerfile, {});
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan->stages.back().steps.at(index);
}

class ProtocolStepRunnerTest : public ::testing::Test {
 protected:
  ProtocolStepRunnerTest() {
    Result<Digest> layer = blobs_.Put("layer-bytes");
    layer_ = *layer;
    jobs_.result.set_layer_digest(layer_.ToString());
    jobs_.result.set_diff_id(Digest::Sha256Of("tar").ToString());
    jobs_.result.set_size(11);
    jobs_.result.set_uncompressed_size(2048);
    jobs_.result.set_media_type("application/vnd.oci.image.layer.v1.tar+gzip");
  }

  StepJob Job(const std::string& dockerfile, size_t index = 0) {
    StepJob job;
    job.key = Digest::Sha256Of("key");
    job.stage = "stage-0";
    job.step = StepOf(dockerfile, index);
    job.state.env = {{"A", "1"}, {"PATH", "/bin"}};
    job.state.workdir = "/app";
    return job;
  }

  cache::MemoryBlobStore blobs_;
  Digest layer_;
  FakeJobRunner jobs_;
  FakeUploader uploader_{blobs_};
  ProtocolStepRunner runner_{jobs_, blobs_};
  Events events_;
  BuildScope scope_{"b1", &events_, &uploader_};
  BuildScope quiet_{"b1", nullptr, &uploader_};  // no events
};

TEST_F(ProtocolStepRunnerTest, RunBecomesARunJob) {
  StepJob step = Job("FROM scratch\nRUN --network=none make all\n");
  step.parents = {
      {layer_, Digest::Sha256Of("tar0"), 11, "application/vnd.oci.image.layer.v1.tar+gzip"}};
  step.source_date_epoch = 42;
  Result<StepOutcome> outcome = runner_.Run(step, scope_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->ok);
  EXPECT_EQ(outcome->layer.digest, layer_);
  EXPECT_EQ(outcome->layer.uncompressed_size, 2048u);  // the worker's count reaches the record
  ASSERT_EQ(jobs_.jobs.size(), 1u);
  const v1::Job& job = jobs_.jobs[0];
  EXPECT_EQ(job.kind(), v1::Job::KIND_RUN);
  EXPECT_EQ(job.build_id(), "b1");
  EXPECT_EQ(job.cache_key(), step.key.ToString());
  EXPECT_EQ(job.run().args(0), "make all");
  EXPECT_TRUE(job.run().prepend_shell());
  EXPECT_EQ(job.run().network(), "none");
  EXPECT_EQ(job.state().env(0), "A=1");
  EXPECT_EQ(job.state().workdir(), "/app");
  ASSERT_EQ(job.parents_size(), 1);
  EXPECT_EQ(job.parent_chain(0), Digest::Sha256Of("tar0").ToString());
  EXPECT_TRUE(job.has_source_date_epoch());
  EXPECT_EQ(job.source_date_epoch(), 42);
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].kind, BuildEvent::Kind::kLog);
  EXPECT_EQ(events_.events[0].text, "output line");
}

TEST_F(ProtocolStepRunnerTest, ARetryBecomesAnEventOfTheStepBeforeTheReplayedOutput) {
  jobs_.retry = JobRetry{2, 3, "worker lost"};
  ASSERT_TRUE(runner_.Run(Job("FROM scratch\nRUN make\n"), scope_).ok());
  ASSERT_EQ(events_.events.size(), 2u);
  const BuildEvent& retry = events_.events[0];
  EXPECT_EQ(retry.kind, BuildEvent::Kind::kRetry);
  EXPECT_EQ(retry.stage, "stage-0");
  EXPECT_EQ(retry.attempt, 2);
  EXPECT_EQ(retry.max_attempts, 3);
  EXPECT_EQ(retry.text, "worker lost");
  EXPECT_EQ(events_.events[1].kind, BuildEvent::Kind::kLog);
}

TEST_F(ProtocolStepRunnerTest, RunHeredocsAreChomped) {
  StepJob step = Job("FROM scratch\nRUN <<-EOF\n\techo hi\nEOF\n");
  ASSERT_TRUE(runner_.Run(step, quiet_).ok());
  ASSERT_EQ(jobs_.jobs[0].run().heredocs_size(), 1);
  EXPECT_EQ(jobs_.jobs[0].run().heredocs(0).name(), "EOF");
  EXPECT_EQ(jobs_.jobs[0].run().heredocs(0).content(), "echo hi\n");
}

TEST_F(ProtocolStepRunnerTest, NonZeroExitIsAFailedOutcome) {
  jobs_.result.Clear();
  jobs_.result.set_exit_code(1);
  Result<StepOutcome> outcome = runner_.Run(Job("FROM scratch\nRUN false\n"), quiet_);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->ok);
  EXPECT_EQ(outcome->exit_code, 1);
  EXPECT_EQ(outcome->message,
            "process \"/bin/sh -c false\" did not complete successfully: exit code: 1");
}

TEST_F(ProtocolStepRunnerTest, JobErrorsBecomeTheirStatus) {
  jobs_.result.Clear();
  jobs_.result.mutable_error()->set_code(1);
  jobs_.result.mutable_error()->set_message("COPY source x not found");
  Result<StepOutcome> outcome = runner_.Run(Job("FROM scratch\nRUN x\n"), quiet_);
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(outcome.status().message(), "COPY source x not found");
}

TEST_F(ProtocolStepRunnerTest, PoolFailureIsReturned) {
  jobs_.status = Status::Unavailable("no worker");
  EXPECT_EQ(runner_.Run(Job("FROM scratch\nRUN x\n"), quiet_).status().code(),
            StatusCode::kUnavailable);
}

TEST_F(ProtocolStepRunnerTest, ALayerNotInTheStoreIsAnError) {
  jobs_.result.set_layer_digest(Digest::Sha256Of("never uploaded").ToString());
  EXPECT_EQ(runner_.Run(Job("FROM scratch\nRUN x\n"), quiet_).status().code(),
            StatusCode::kInternal);
}

TEST_F(ProtocolStepRunnerTest, CopyCarriesTheSelectedContextAndAsksForMissingContents) {
  StepJob step = Job("FROM scratch\nCOPY --chown=1:2 --chmod=600 a b /dst/\n");
  cache::InputEntry a{"a", cache::InputType::kRegular, 0644, 3, Digest::Sha256Of("aaa"), ""};
  cache::InputEntry b{"b", cache::InputType::kRegular, 0644, 3, Digest::Sha256Of("bbb"), ""};
  step.inputs = {a, b};
  ASSERT_TRUE(blobs_.Put("bbb").ok());
  uploader_.files[a.content] = "aaa";
  ASSERT_TRUE(runner_.Run(step, quiet_).ok());
  ASSERT_EQ(uploader_.requests.size(), 1u);
  EXPECT_EQ(uploader_.requests[0], std::vector<Digest>{a.content});
  const v1::Job& job = jobs_.jobs[0];
  EXPECT_EQ(job.kind(), v1::Job::KIND_COPY);
  EXPECT_EQ(job.copy().sources_size(), 2);
  EXPECT_EQ(job.copy().dest(), "/dst/");
  EXPECT_EQ(job.copy().chown(), "1:2");
  EXPECT_EQ(job.copy().chmod(), "600");
  ASSERT_EQ(job.copy().context_size(), 2);
  EXPECT_EQ(job.copy().context(0).sha256(), a.content.ToString());
  EXPECT_FALSE(job.copy().from_layers());

  // Everything present now: no second request.
  ASSERT_TRUE(runner_.Run(step, quiet_).ok());
  EXPECT_EQ(uploader_.requests.size(), 1u);
}

TEST_F(ProtocolStepRunnerTest, ContentsStillMissingAfterTheUploadFailTheStep) {
  StepJob step = Job("FROM scratch\nCOPY a /a\n");
  step.inputs = {{"a", cache::InputType::kRegular, 0644, 3, Digest::Sha256Of("zzz"), ""}};
  EXPECT_EQ(runner_.Run(step, quiet_).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(jobs_.jobs.empty());
}

TEST_F(ProtocolStepRunnerTest, CopyFromCarriesTheSourceChain) {
  StepJob step = Job("FROM scratch AS a\nFROM scratch\nCOPY --from=a /x /y\n");
  step.from_layers = {{layer_, Digest::Sha256Of("t"), 11, "m"}};
  ASSERT_TRUE(runner_.Run(step, quiet_).ok());
  EXPECT_TRUE(jobs_.jobs[0].copy().from_layers());
  ASSERT_EQ(jobs_.jobs[0].copy().from_chain_size(), 1);
  EXPECT_EQ(jobs_.jobs[0].copy().from_chain(0).digest(), layer_.ToString());
}

TEST_F(ProtocolStepRunnerTest, AddUnpacksUnlessToldNot) {
  StepJob step = Job("FROM scratch\nADD a.tar /x/\n");
  ASSERT_TRUE(runner_.Run(step, quiet_).ok());
  EXPECT_EQ(jobs_.jobs[0].kind(), v1::Job::KIND_ADD);
  EXPECT_TRUE(jobs_.jobs[0].copy().unpack_archives());
  ASSERT_TRUE(runner_.Run(Job("FROM scratch\nADD --unpack=false a.tar /x/\n"), quiet_).ok());
  EXPECT_FALSE(jobs_.jobs[1].copy().unpack_archives());
}

TEST_F(ProtocolStepRunnerTest, WorkdirIsResolvedAgainstThePreviousOne) {
  ASSERT_TRUE(runner_.Run(Job("FROM scratch\nWORKDIR sub/../src\n"), quiet_).ok());
  EXPECT_EQ(jobs_.jobs[0].kind(), v1::Job::KIND_WORKDIR);
  EXPECT_EQ(jobs_.jobs[0].state().workdir(), "/app/src");
  ASSERT_TRUE(runner_.Run(Job("FROM scratch\nWORKDIR /abs/\n"), quiet_).ok());
  EXPECT_EQ(jobs_.jobs[1].state().workdir(), "/abs");
}

TEST_F(ProtocolStepRunnerTest, TheJobIdIsTheBuildAndTheStepNumber) {
  StepJob first = Job("FROM scratch\nRUN a\n");
  first.number = 2;
  StepJob second = Job("FROM scratch\nRUN a\n");
  second.number = 3;
  ASSERT_TRUE(runner_.Run(first, scope_).ok());
  ASSERT_TRUE(runner_.Run(second, scope_).ok());
  ASSERT_EQ(jobs_.jobs.size(), 2u);
  EXPECT_EQ(jobs_.jobs[0].job_id(), "b1-2");
  EXPECT_EQ(jobs_.jobs[1].job_id(), "b1-3");
  EXPECT_EQ(jobs_.jobs[1].build_id(), "b1");
  // The pool hears of the build's cancel through its scope.
  EXPECT_EQ(jobs_.scopes[0], &scope_);
}

TEST_F(ProtocolStepRunnerTest, LogLinesAndRetriesCarryTheStepNumber) {
  jobs_.retry = JobRetry{2, 3, "worker lost"};
  StepJob step = Job("FROM scratch\nRUN make\n");
  step.number = 4;
  step.total = 7;
  ASSERT_TRUE(runner_.Run(step, scope_).ok());
  ASSERT_EQ(events_.events.size(), 2u);
  for (const BuildEvent& e : events_.events) {
    EXPECT_EQ(e.index, 4);
    EXPECT_EQ(e.total, 7);
  }
}

TEST_F(ProtocolStepRunnerTest, ACancelledBuildRunsNoJob) {
  scope_.Cancel(Status::Cancelled("the client went away"));
  Result<StepOutcome> outcome = runner_.Run(Job("FROM scratch\nRUN a\n"), scope_);
  EXPECT_EQ(outcome.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(outcome.status().message(), "the client went away");
  EXPECT_TRUE(jobs_.jobs.empty());
}

// Only the build's own client is asked for its context contents.
TEST_F(ProtocolStepRunnerTest, ABuildWithoutAnUploaderFailsOnMissingContents) {
  BuildScope alone("b2", nullptr, nullptr);
  StepJob step = Job("FROM scratch\nCOPY a /a\n");
  step.inputs = {{"a", cache::InputType::kRegular, 0644, 3, Digest::Sha256Of("aaa"), ""}};
  uploader_.files[step.inputs[0].content] = "aaa";
  EXPECT_EQ(runner_.Run(step, alone).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(uploader_.requests.empty());
  EXPECT_TRUE(jobs_.jobs.empty());
}

}  // namespace
}  // namespace strata::coordinator
