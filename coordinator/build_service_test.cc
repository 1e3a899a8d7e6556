// End to end on real sockets: a Server with its client and worker Listeners
// on ipc:// in a temp dir, a fake worker (a Connection that registers and
// answers Jobs by uploading a small layer) and a fake client submitting
// builds.

#include "coordinator/build_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "cache/test_util.h"
#include "common/file_util.h"
#include "coordinator/outbox_job_sender.h"
#include "coordinator/image_puller.h"
#include "coordinator/pull_service.h"
#include "coordinator/registry_image_fixture.h"
#include "coordinator/server.h"
#include "protocol/connection.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;
using std::chrono::milliseconds;

// Registers, heartbeats, and answers each Job: fetches the COPY's context
// contents with BlobGet, uploads a layer made from the job's instruction
// with BlobPut (on a second connection, so that no Job arriving meanwhile
// is mistaken for a reply), then sends a JobLog and the JobResult.
// A RUN that names "crash" makes it "die" as a killed worker that comes
// back would: it sends a line of output and registers again instead of
// answering ("crash-once": only the first time). A RUN that names "hang"
// is never answered; the CancelJobs that arrive are recorded.
class FakeWorker {
 public:
  FakeWorker(protocol::Context& context, const std::string& endpoint)
      : connection_(*protocol::Connection::Connect(context, endpoint)),
        transfers_(*protocol::Connection::Connect(context, endpoint)),
        thread_([this] { Run(); }) {}
  ~FakeWorker() {
    stop_ = true;
    thread_.join();
  }
  int jobs() const { return jobs_; }
  std::vector<std::string> fetched() {
    std::lock_guard lock(mu_);
    return fetched_;
  }
  std::vector<std::string> cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

 private:
  void Run() {
    Envelope reg = protocol::NewEnvelope(connection_->NextRequestId());
    reg.mutable_register_worker()->set_worker_id("fake-1");
    reg.mutable_register_worker()->set_slots(2);
    Result<Envelope> registered = connection_->Call(reg, milliseconds(5000));
    if (!registered.ok() || !registered->has_registered()) {
      ADD_FAILURE() << "register: " << registered.status().ToString();
      return;
    }
    while (!stop_) {
      Result<Envelope> in = connection_->Receive(milliseconds(100));
      if (!in.ok()) {
        Envelope beat = protocol::NewEnvelope(0);
        beat.mutable_heartbeat()->set_worker_id("fake-1");
        {
          std::lock_guard lock(mu_);
          for (const std::string& id : hanging_) {
            beat.mutable_heartbeat()->add_running_job_ids(id);
          }
          beat.mutable_heartbeat()->set_running_jobs(static_cast<uint32_t>(hanging_.size()));
        }
        (void)connection_->Send(beat);
        continue;
      }
      if (in->has_job()) Answer(in->job());
      if (in->has_cancel_job()) {
        std::lock_guard lock(mu_);
        cancelled_.push_back(in->cancel_job().job_id());
        hanging_.erase(in->cancel_job().job_id());
      }
    }
  }

  bool Crash(const v1::Job& job) {
    const std::string& what = job.instruction();
    if (what.find("crash") == std::string::npos) return false;
    if (what.find("crash-once") != std::string::npos && crashed_[what] > 0) return false;
    ++crashed_[what];
    Envelope log = protocol::NewEnvelope(0);
    log.mutable_job_log()->set_job_id(job.job_id());
    log.mutable_job_log()->set_worker_id("fake-1");
    log.mutable_job_log()->mutable_line()->set_data("started " + what + "\n");
    EXPECT_TRUE(connection_->Send(log).ok());
    Envelope reg = protocol::NewEnvelope(connection_->NextRequestId());
    reg.mutable_register_worker()->set_worker_id("fake-1");
    reg.mutable_register_worker()->set_slots(2);
    EXPECT_TRUE(connection_->Send(reg).ok());  // its Registered reply is ignored
    return true;
  }

  void Answer(const v1::Job& job) {
    ++jobs_;
    if (Crash(job)) return;
    if (job.instruction().find("hang") != std::string::npos) {
      std::lock_guard lock(mu_);
      hanging_.insert(job.job_id());
      return;
    }
    for (const v1::ContextEntry& e : job.copy().context()) {
      Envelope get = protocol::NewEnvelope(transfers_->NextRequestId());
      get.mutable_blob_get()->set_digest(e.sha256());
      std::string data;
      for (;;) {
        Result<Envelope> chunk = transfers_->Call(get, milliseconds(5000));
        ASSERT_TRUE(chunk.ok() && chunk->has_blob_put()) << "BlobGet " << e.sha256();
        data += chunk->blob_put().data();
        if (chunk->blob_put().last()) break;
      }
      std::lock_guard lock(mu_);
      fetched_.push_back(e.path() + "=" + data);
    }
    std::string layer =
        "layer of " + job.instruction() + " on " + std::to_string(job.parents_size());
    Digest digest = Digest::Sha256Of(layer);
    Envelope put = protocol::NewEnvelope(transfers_->NextRequestId());
    put.mutable_blob_put()->set_digest(digest.ToString());
    put.mutable_blob_put()->set_data(layer);
    put.mutable_blob_put()->set_last(true);
    put.mutable_blob_put()->set_total_size(layer.size());
    Result<Envelope> ack = transfers_->Call(put, milliseconds(5000));
    ASSERT_TRUE(ack.ok() && ack->has_ack()) << "BlobPut not acked";

    Envelope log = protocol::NewEnvelope(0);
    log.mutable_job_log()->set_job_id(job.job_id());
    log.mutable_job_log()->set_worker_id("fake-1");
    log.mutable_job_log()->mutable_line()->set_data("ran " + job.instruction());
    ASSERT_TRUE(connection_->Send(log).ok());
    Envelope result = protocol::NewEnvelope(0);
    v1::JobResult* r = result.mutable_job_result();
    r->set_job_id(job.job_id());
    r->set_worker_id("fake-1");
    if (job.instruction() == "RUN false") {
      r->set_exit_code(1);
      r->set_failure("process \"/bin/sh -c false\" did not complete successfully: exit code: 1");
    } else {
      r->set_layer_digest(digest.ToString());
      r->set_diff_id(Digest::Sha256Of("tar:" + layer).ToString());
      r->set_size(layer.size());
      r->set_media_type("application/vnd.oci.image.layer.v1.tar+gzip");
    }
    ASSERT_TRUE(connection_->Send(result).ok());
  }

  std::unique_ptr<protocol::Connection> connection_;  // registered: the job peer
  std::unique_ptr<protocol::Connection> transfers_;   // BlobGet / BlobPut calls
  std::atomic<bool> stop_{false};
  std::atomic<int> jobs_{0};
  std::mutex mu_;
  std::vector<std::string> fetched_;
  std::vector<std::string> cancelled_;  // CancelJob ids
  std::set<std::string> hanging_;       // "hang" jobs not cancelled: the heartbeat lists them
  std::map<std::string, int> crashed_;  // by instruction; the worker thread's
  std::thread thread_;
};

struct Outcome {
  std::optional<v1::BuildResult> result;
  std::optional<v1::Error> error;                 // an Error(R) instead of a BuildResult
  std::vector<std::vector<std::string>> missing;  // each MissingBlobs
  std::vector<v1::BuildEvent> events;
};

class BuildServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok()) << store_.status().ToString();
    clients_ = *protocol::Listener::Bind(context_, "ipc://" + dir_.path() + "/c.sock");
    workers_ = *protocol::Listener::Bind(context_, "ipc://" + dir_.path() + "/w.sock");
    images_ = std::make_unique<ImageService>(**store_, clock_, dir_.path() + "/tmp");
    handler_ = std::make_unique<RpcHandler>(*images_);
    server_ = std::make_unique<Server>(*clients_, *handler_, clock_,
                                       ServerOptions{idle_timeout_, milliseconds(50)});
    sender_ = std::make_unique<OutboxJobSender>(*server_);
    pool_ = std::make_unique<WorkerPool>(clock_, *sender_);
    builds_ = std::make_unique<BuildService>(**store_, *pool_, clock_, *server_);
    server_->AttachBuilds(*workers_, *builds_, *pool_);
    server_thread_ = std::thread([this] {
      served_ = server_->Run();
      exited_ = true;
    });
    client_ = *protocol::Connection::Connect(context_, clients_->endpoint());
  }

  void TearDown() override {
    if (!exited_) {
      Envelope shutdown = protocol::NewEnvelope(client_->NextRequestId());
      shutdown.mutable_shutdown();
      EXPECT_TRUE(client_->Call(shutdown, milliseconds(5000)).ok());
    }
    server_thread_.join();
    EXPECT_TRUE(served_.ok()) << served_.ToString();
    worker_.reset();
    builds_.reset();
  }

  // Submits `dockerfile` with `files` as the context; uploads what the
  // coordinator asks for; returns at the BuildResult (or Error).
  Outcome Build(const std::string& dockerfile, const std::map<std::string, std::string>& files) {
    return BuildOn(*client_, dockerfile, files);
  }
  Outcome BuildOn(protocol::Connection& client, const std::string& dockerfile,
                  const std::map<std::string, std::string>& files) {
    Outcome out;
    const uint64_t r = client.NextRequestId();
    Envelope submit = protocol::NewEnvelope(r);
    v1::SubmitBuild* req = submit.mutable_submit_build();
    req->set_dockerfile(dockerfile);
    req->set_dockerfile_name("Dockerfile");
    req->add_tags("test:latest");
    req->set_pull(pull_);
    std::map<std::string, std::string> by_digest;
    for (const auto& [path, data] : files) {
      v1::ContextEntry* e = req->add_context();
      e->set_path(path);
      e->set_type(v1::ContextEntry::TYPE_REGULAR);
      e->set_mode(0644);
      e->set_size(data.size());
      e->set_sha256(Digest::Sha256Of(data).ToString());
      by_digest[e->sha256()] = data;
    }
    EXPECT_TRUE(client.Send(submit).ok());
    for (;;) {
      Result<Envelope> in = client.Receive(milliseconds(10000));
      if (!in.ok()) {
        ADD_FAILURE() << "no reply: " << in.status().ToString();
        return out;
      }
      if (in->request_id() == 0 && in->has_ping()) continue;  // the client probe
      EXPECT_EQ(in->request_id(), r);
      if (in->has_missing_blobs()) {
        out.missing.push_back(
            {in->missing_blobs().digests().begin(), in->missing_blobs().digests().end()});
        for (const std::string& d : in->missing_blobs().digests()) {
          Envelope put = protocol::NewEnvelope(r);
          put.mutable_blob_put()->set_digest(d);
          put.mutable_blob_put()->set_data(by_digest[d]);
          put.mutable_blob_put()->set_last(true);
          put.mutable_blob_put()->set_total_size(by_digest[d].size());
          EXPECT_TRUE(client.Send(put).ok());
        }
        Envelope uploaded = protocol::NewEnvelope(r);
        uploaded.mutable_context_uploaded();
        EXPECT_TRUE(client.Send(uploaded).ok());
      } else if (in->has_build_event()) {
        out.events.push_back(in->build_event());
      } else if (in->has_build_result()) {
        out.result = in->build_result();
        return out;
      } else if (in->has_error()) {
        out.error = in->error();
        return out;
      } else {
        ADD_FAILURE() << "unexpected " << protocol::BodyName(*in);
      }
    }
  }

  void StartWorker() { worker_ = std::make_unique<FakeWorker>(context_, workers_->endpoint()); }

  cache::TempDir dir_;
  SystemClock clock_;
  Result<std::unique_ptr<cache::Store>> store_ = cache::Store::Open(dir_.path() + "/store");
  protocol::Context context_;
  std::unique_ptr<protocol::Listener> clients_, workers_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<RpcHandler> handler_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<OutboxJobSender> sender_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<BuildService> builds_;
  milliseconds idle_timeout_{0};
  bool pull_ = false;  // build --pull
  std::thread server_thread_;
  std::atomic<bool> exited_{false};
  Status served_;
  std::unique_ptr<protocol::Connection> client_;
  std::unique_ptr<FakeWorker> worker_;
};

constexpr char kDockerfile[] = "FROM scratch\nCOPY a /a\nRUN echo hi\n";

TEST_F(BuildServiceTest, FirstBuildRunsBothStepsSecondIsFullyCached) {
  StartWorker();
  Outcome first = Build(kDockerfile, {{"a", "hello"}});
  ASSERT_TRUE(first.result.has_value()) << (first.error ? first.error->message() : "");
  ASSERT_FALSE(first.result->has_error()) << first.result->error().message();
  EXPECT_EQ(first.result->steps_run(), 2u);
  EXPECT_EQ(first.result->steps_cached(), 0u);
  EXPECT_EQ(worker_->jobs(), 2);
  ASSERT_EQ(first.missing.size(), 1u);
  EXPECT_EQ(first.missing[0], std::vector<std::string>{Digest::Sha256Of("hello").ToString()});
  EXPECT_EQ(worker_->fetched(), std::vector<std::string>{"a=hello"});
  EXPECT_FALSE(first.result->image_id().empty());
  bool saw_log = false;
  for (const auto& e : first.events) {
    if (!e.has_log() || e.log().data() != "ran RUN echo hi") continue;
    saw_log = true;
    EXPECT_EQ(e.step(), 2u);  // the RUN's step number, though the worker knows none
    EXPECT_EQ(e.total_steps(), 2u);
  }
  EXPECT_TRUE(saw_log);

  Outcome second = Build(kDockerfile, {{"a", "hello"}});
  ASSERT_TRUE(second.result.has_value());
  EXPECT_EQ(second.result->steps_cached(), 2u);
  EXPECT_EQ(second.result->steps_run(), 0u);
  EXPECT_EQ(worker_->jobs(), 2);        // never reached the worker
  EXPECT_TRUE(second.missing.empty());  // uploads nothing
  EXPECT_EQ(second.result->image_id(), first.result->image_id());
  int cached = 0;
  for (const auto& e : second.events) cached += e.has_cached();
  EXPECT_EQ(cached, 2);
}

TEST_F(BuildServiceTest, ChangedContentIsAskedForAgain) {
  StartWorker();
  ASSERT_TRUE(Build(kDockerfile, {{"a", "one"}}).result.has_value());
  Outcome changed = Build(kDockerfile, {{"a", "two"}});
  ASSERT_TRUE(changed.result.has_value());
  ASSERT_EQ(changed.missing.size(), 1u);
  EXPECT_EQ(changed.missing[0], std::vector<std::string>{Digest::Sha256Of("two").ToString()});
  EXPECT_EQ(changed.result->steps_run(), 2u);
}

TEST_F(BuildServiceTest, JobsWaitForAWorkerThatRegistersLate) {
  std::thread late([this] {
    std::this_thread::sleep_for(milliseconds(200));
    StartWorker();
  });
  Outcome out = Build("FROM scratch\nRUN echo late\n", {});
  late.join();
  ASSERT_TRUE(out.result.has_value());
  EXPECT_FALSE(out.result->has_error());
  EXPECT_EQ(out.result->steps_run(), 1u);
}

TEST_F(BuildServiceTest, FailingRunEndsTheBuildWithItsMessage) {
  StartWorker();
  Outcome out = Build("FROM scratch\nRUN false\n", {});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_TRUE(out.result->has_error());
  EXPECT_NE(out.result->error().message().find("Dockerfile:2"), std::string::npos)
      << out.result->error().message();
  EXPECT_NE(out.result->error().message().find("exit code: 1"), std::string::npos);
}

TEST_F(BuildServiceTest, ParseErrorsComeBackWithFileAndLine) {
  Outcome out = Build("FROM scratch\nFOO bar\n", {});
  std::string message = out.error                               ? out.error->message()
                        : out.result && out.result->has_error() ? out.result->error().message()
                                                                : "";
  EXPECT_NE(message.find("Dockerfile:2"), std::string::npos) << message;
}

TEST_F(BuildServiceTest, MissingCopySourceIsNotFound) {
  StartWorker();
  Outcome out = Build("FROM scratch\nCOPY nope /x\n", {{"a", "hello"}});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_TRUE(out.result->has_error());
  EXPECT_NE(out.result->error().message().find("\"/nope\": not found"), std::string::npos)
      << out.result->error().message();
  EXPECT_EQ(worker_->jobs(), 0);
}

TEST_F(BuildServiceTest, TwoClientsBuildAtOnce) {
  StartWorker();
  auto other = *protocol::Connection::Connect(context_, clients_->endpoint());
  Outcome second;
  std::thread t([&] {
    second = BuildOn(*other, "FROM scratch\nCOPY b /b\nRUN two\n", {{"b", "bee"}});
  });
  Outcome first = Build(kDockerfile, {{"a", "hello"}});
  t.join();
  ASSERT_TRUE(first.result.has_value() && second.result.has_value());
  EXPECT_FALSE(first.result->has_error()) << first.result->error().message();
  EXPECT_FALSE(second.result->has_error()) << second.result->error().message();
  EXPECT_EQ(first.result->steps_run() + second.result->steps_run(), 4u);
  EXPECT_EQ(worker_->jobs(), 4);
  EXPECT_NE(first.result->image_id(), second.result->image_id());
}

// Ctrl-C or a kill ends the client's connection: its build stops, the
// worker is told to stop the RUN, and nothing is tagged.
TEST_F(BuildServiceTest, AClientThatGoesAwayCancelsItsBuild) {
  StartWorker();
  auto other = *protocol::Connection::Connect(context_, clients_->endpoint());
  Envelope submit = protocol::NewEnvelope(other->NextRequestId());
  submit.mutable_submit_build()->set_dockerfile("FROM scratch\nRUN hang\n");
  submit.mutable_submit_build()->add_tags("gone:latest");
  ASSERT_TRUE(other->Send(submit).ok());
  for (int i = 0; i < 500 && worker_->jobs() == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(worker_->jobs(), 1);
  other.reset();  // the client is gone
  for (int i = 0; i < 500 && worker_->cancelled().empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(worker_->cancelled().size(), 1u);
  EXPECT_EQ(worker_->cancelled()[0].substr(worker_->cancelled()[0].size() - 4), "-1-1");
  for (int i = 0; i < 500 && builds_->running_builds() > 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(builds_->running_builds(), 0);
  EXPECT_EQ(pool_->outstanding_jobs(), 0u);
  Result<std::optional<Digest>> tag = (*store_)->metadata().ResolveTag("docker.io/library/gone:latest");
  ASSERT_TRUE(tag.ok()) << tag.status().ToString();
  EXPECT_FALSE(tag->has_value());
}

// A client killed in the middle of its context upload holds up nobody: a
// build of the same context coalesced on its COPY runs the step with its
// own upload once the first client is found gone, and the dead client's
// half-written upload goes with its temp file.
TEST_F(BuildServiceTest, AClientGoneMidUploadHoldsUpNoOtherBuild) {
  StartWorker();
  const std::string dockerfile = "FROM scratch\nCOPY a /a\n";
  auto dying = *protocol::Connection::Connect(context_, clients_->endpoint());
  const uint64_t r = dying->NextRequestId();
  Envelope submit = protocol::NewEnvelope(r);
  submit.mutable_submit_build()->set_dockerfile(dockerfile);
  v1::ContextEntry* e = submit.mutable_submit_build()->add_context();
  e->set_path("a");
  e->set_type(v1::ContextEntry::TYPE_REGULAR);
  e->set_mode(0644);
  e->set_size(5);
  e->set_sha256(Digest::Sha256Of("hello").ToString());
  ASSERT_TRUE(dying->Send(submit).ok());
  bool asked = false;
  for (int i = 0; i < 100 && !asked; ++i) {
    Result<Envelope> in = dying->Receive(milliseconds(100));
    asked = in.ok() && in->has_missing_blobs();
  }
  ASSERT_TRUE(asked);
  Envelope half = protocol::NewEnvelope(r);
  half.mutable_blob_put()->set_digest(e->sha256());
  half.mutable_blob_put()->set_data("hel");
  half.mutable_blob_put()->set_total_size(5);
  ASSERT_TRUE(dying->Send(half).ok());
  const std::string tmp = dir_.path() + "/store/tmp";
  auto temp_files = [&] {
    Result<std::vector<std::string>> names = ListDirectory(tmp);
    return names.ok() ? static_cast<int>(names->size()) : -1;
  };
  for (int i = 0; i < 200 && temp_files() == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(temp_files(), 1);  // the half upload's temp file
  dying.reset();                              // killed

  Outcome other = Build(dockerfile, {{"a", "hello"}});
  ASSERT_TRUE(other.result.has_value());
  EXPECT_FALSE(other.result->has_error()) << other.result->error().message();
  EXPECT_EQ(other.missing.size(), 1u);  // it uploaded the file itself
  EXPECT_EQ(temp_files(), 0);
}

TEST_F(BuildServiceTest, ABuildPastItsTimeoutFailsAndStopsItsJob) {
  StartWorker();
  Envelope submit = protocol::NewEnvelope(client_->NextRequestId());
  submit.mutable_submit_build()->set_dockerfile("FROM scratch\nRUN hang\n");
  submit.mutable_submit_build()->set_dockerfile_name("Dockerfile");
  submit.mutable_submit_build()->set_timeout_ms(300);
  ASSERT_TRUE(client_->Send(submit).ok());
  std::optional<v1::BuildResult> result;
  for (int i = 0; i < 100 && !result; ++i) {
    Result<Envelope> in = client_->Receive(milliseconds(100));
    if (in.ok() && in->has_build_result()) result = in->build_result();
  }
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->has_error());
  EXPECT_EQ(static_cast<StatusCode>(result->error().code()), StatusCode::kTimedOut);
  EXPECT_NE(result->error().message().find("--timeout"), std::string::npos)
      << result->error().message();
  for (int i = 0; i < 500 && worker_->cancelled().empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(worker_->cancelled().size(), 1u);
}

TEST_F(BuildServiceTest, AJobReplayedAfterItsWorkerDiedIsMarkedInTheProgress) {
  StartWorker();
  Outcome out = Build("FROM scratch\nRUN crash-once\n", {});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_FALSE(out.result->has_error()) << out.result->error().message();
  EXPECT_EQ(worker_->jobs(), 2);
  std::vector<std::string> shown;  // the step's events after its start
  for (const auto& e : out.events) {
    if (e.has_log()) shown.push_back(e.log().data());
    if (e.has_retry()) {
      EXPECT_EQ(e.step(), 1u);
      shown.push_back("retry " + std::to_string(e.retry().attempt()) + "/" +
                      std::to_string(e.retry().max_attempts()) + ": " + e.retry().reason());
    }
  }
  EXPECT_EQ(shown, (std::vector<std::string>{"started RUN crash-once\n", "retry 2/3: worker lost",
                                             "ran RUN crash-once"}));
}

TEST_F(BuildServiceTest, AStepThatKillsEveryWorkerFailsAfterTwoCrashes) {
  StartWorker();
  Outcome out = Build("FROM scratch\nRUN crash\n", {});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_TRUE(out.result->has_error());
  EXPECT_NE(out.result->error().message().find(
                "Dockerfile:2: RUN crash: step crashed the worker 2 times; not retried: "),
            std::string::npos)
      << out.result->error().message();
  EXPECT_EQ(worker_->jobs(), 2);
}

class IdleBuildServiceTest : public BuildServiceTest {
 protected:
  IdleBuildServiceTest() { idle_timeout_ = milliseconds(300); }
};

TEST_F(IdleBuildServiceTest, IdleExitWaitsForTheBuildAndItsJobs) {
  std::thread late([this] {
    std::this_thread::sleep_for(milliseconds(1000));  // > idle timeout, job queued
    EXPECT_FALSE(exited_);
    StartWorker();
  });
  Outcome out = Build("FROM scratch\nRUN echo late\n", {});
  late.join();
  ASSERT_TRUE(out.result.has_value());
  EXPECT_FALSE(out.result->has_error());
  for (int i = 0; i < 100 && !exited_; ++i) std::this_thread::sleep_for(milliseconds(50));
  EXPECT_TRUE(exited_);  // idle once the build is over
}

TEST_F(BuildServiceTest, ImageRequestsStillWork) {
  Envelope list = protocol::NewEnvelope(client_->NextRequestId());
  list.mutable_list_images();
  Result<Envelope> reply = client_->Call(list, milliseconds(5000));
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->has_image_list());
}

// Builds whose FROM and COPY --from images come from a registry (a
// FakeRegistryClient behind the coordinator's ImagePuller), and `strata
// pull` over the socket.
class RegistryBuildTest : public BuildServiceTest {
 protected:
  void SetUp() override {
    BuildServiceTest::SetUp();
    std::filesystem::create_directories(dir_.path() + "/pull-tmp");
    puller_ = std::make_unique<ImagePuller>(**store_, registry_,
                                            ImagePullerOptions{3, dir_.path() + "/pull-tmp"});
    builds_->AttachPuller(*puller_, credentials_);
    pulls_ = std::make_unique<PullService>(*puller_, registry_, credentials_, *server_);
    server_->AttachPulls(*pulls_);
  }
  void TearDown() override {
    BuildServiceTest::TearDown();
    pulls_.reset();
  }

  // Sends PullImage; collects the progress lines until the last result.
  std::vector<std::string> PullOverSocket(const std::string& ref, v1::PullResult* result,
                                          Status* error) {
    std::vector<std::string> lines;
    const uint64_t r = client_->NextRequestId();
    Envelope req = protocol::NewEnvelope(r);
    req.mutable_pull_image()->set_reference(ref);
    req.mutable_pull_image()->set_platform("linux/amd64");
    req.mutable_pull_image()->mutable_auth()->set_server("docker.io");
    req.mutable_pull_image()->mutable_auth()->set_username("me");
    req.mutable_pull_image()->mutable_auth()->set_password("secret");
    EXPECT_TRUE(client_->Send(req).ok());
    for (;;) {
      Result<Envelope> in = client_->Receive(milliseconds(10000));
      if (!in.ok()) {
        *error = in.status();
        return lines;
      }
      EXPECT_EQ(in->request_id(), r);
      if (in->has_pull_progress()) {
        lines.push_back(in->pull_progress().id() + ": " + in->pull_progress().status());
      } else if (in->has_pull_result()) {
        *result = in->pull_result();
        if (result->last()) return lines;
      } else if (in->has_error()) {
        *error = protocol::StatusFromError(in->error());
        return lines;
      }
    }
  }

  static bool Has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }

  registry::testing::FakeRegistryClient registry_;
  RequestCredentials credentials_;
  std::unique_ptr<ImagePuller> puller_;
  std::unique_ptr<PullService> pulls_;
};

TEST_F(RegistryBuildTest, PullImageStreamsDockersLinesThenIsUpToDate) {
  testing::SeededImage img =
      testing::SeedImage(registry_, "docker.io/library/app", "latest", {"l"});
  v1::PullResult result;
  Status error;
  std::vector<std::string> lines = PullOverSocket("app", &result, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  EXPECT_EQ(lines.front(), "latest: Pulling from library/app");
  EXPECT_TRUE(Has(lines, img.layers[0].digest.hex().substr(0, 12) + ": Pull complete"));
  EXPECT_EQ(result.reference(), "docker.io/library/app:latest");
  EXPECT_EQ(result.id(), img.config_digest.ToString());
  EXPECT_EQ(result.digest(), img.manifest_digest.ToString());
  EXPECT_TRUE(result.newer());
  // The credentials the request carried reach the registry client's store.
  auto creds = credentials_.Get("docker.io");
  ASSERT_TRUE(creds.ok() && creds->has_value());
  EXPECT_EQ((*creds)->username, "me");

  lines = PullOverSocket("app:latest", &result, &error);
  ASSERT_TRUE(error.ok()) << error.ToString();
  EXPECT_FALSE(result.newer());
  EXPECT_TRUE(Has(lines, img.layers[0].digest.hex().substr(0, 12) + ": Already exists"));

  // RepoDigests reach inspect.
  Envelope inspect = protocol::NewEnvelope(client_->NextRequestId());
  inspect.mutable_inspect_image()->add_names("app");
  Result<Envelope> reply = client_->Call(inspect, milliseconds(5000));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  ASSERT_EQ(reply->inspect_result().json_size(), 1);
  EXPECT_NE(reply->inspect_result().json(0).find("\"RepoDigests\":[\"app@" +
                                                 img.manifest_digest.ToString() + "\"]"),
            std::string::npos)
      << reply->inspect_result().json(0);
}

TEST_F(RegistryBuildTest, APullThatFailsIsAnErrorReplyAndTheServerStaysResponsive) {
  registry_.SetDown(true);
  v1::PullResult result;
  Status error;
  PullOverSocket("app", &result, &error);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.code(), StatusCode::kUnavailable);
  Envelope ping = protocol::NewEnvelope(client_->NextRequestId());
  ping.mutable_ping();
  EXPECT_TRUE(client_->Call(ping, milliseconds(5000)).ok());
}

TEST_F(RegistryBuildTest, FromPullsTheBaseAndPullRehitsAnUnchangedTagWithoutDownloading) {
  StartWorker();
  testing::SeedImage(registry_, "docker.io/library/base", "latest", {"base-layer"}, "amd64",
                     {"PATH=/bin", "FROM_BASE=yes"});
  const std::string dockerfile = "FROM base\nRUN echo $FROM_BASE\n";
  Outcome first = Build(dockerfile, {});
  ASSERT_TRUE(first.result.has_value());
  ASSERT_FALSE(first.result->has_error()) << first.result->error().message();
  EXPECT_EQ(first.result->steps_run(), 1u);
  EXPECT_EQ(registry_.blob_fetches(), 2);  // config + layer
  bool shown = false;
  for (const v1::BuildEvent& e : first.events) {
    shown = shown || (e.step() == 0 && e.vertex() ==
                                           "[internal] load metadata for "
                                           "docker.io/library/base:latest");
  }
  EXPECT_TRUE(shown);

  // Present locally: no registry at all, everything cached.
  int gets = registry_.manifest_gets();
  Outcome local = Build(dockerfile, {});
  ASSERT_TRUE(local.result.has_value() && !local.result->has_error());
  EXPECT_EQ(registry_.manifest_gets(), gets);
  EXPECT_EQ(local.result->steps_cached(), 1u);

  // --pull of a tag that did not move: resolved, nothing downloaded, a hit.
  pull_ = true;
  Outcome same = Build(dockerfile, {});
  ASSERT_TRUE(same.result.has_value() && !same.result->has_error());
  EXPECT_GT(registry_.manifest_gets(), gets);
  EXPECT_EQ(registry_.blob_fetches(), 2);
  EXPECT_EQ(same.result->steps_cached(), 1u);
  EXPECT_EQ(same.result->steps_run(), 0u);

  // The tag moves: --pull downloads the new base and the RUN misses.
  testing::SeedImage(registry_, "docker.io/library/base", "latest", {"new-base-layer"}, "amd64",
                     {"PATH=/bin", "FROM_BASE=yes"});
  Outcome moved = Build(dockerfile, {});
  ASSERT_TRUE(moved.result.has_value() && !moved.result->has_error());
  EXPECT_EQ(registry_.blob_fetches(), 4);
  EXPECT_EQ(moved.result->steps_run(), 1u);
  EXPECT_EQ(moved.result->steps_cached(), 0u);
}

TEST_F(RegistryBuildTest, TheBasesEnvReachesThePlanAfterThePull) {
  StartWorker();
  testing::SeedImage(registry_, "docker.io/library/base", "latest", {"b"}, "amd64",
                     {"PATH=/bin", "APP_DIR=/srv/app"});
  Outcome out = Build("FROM base\nWORKDIR $APP_DIR\n", {});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_FALSE(out.result->has_error()) << out.result->error().message();
  bool expanded = false;
  for (const v1::BuildEvent& e : out.events) {
    expanded = expanded || (e.has_started() && e.started().instruction() == "WORKDIR /srv/app");
  }
  EXPECT_TRUE(expanded);
}

TEST_F(RegistryBuildTest, CopyFromAnImagePullsIt) {
  StartWorker();
  testing::SeedImage(registry_, "docker.io/library/tools", "1", {"tools"});
  Outcome out = Build("FROM scratch\nCOPY --from=tools:1 /x /x\n", {});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_FALSE(out.result->has_error()) << out.result->error().message();
  EXPECT_EQ(registry_.blob_fetches(), 2);
  EXPECT_TRUE(store_.value()->metadata().ResolveTag("docker.io/library/tools:1")->has_value());
}

TEST_F(RegistryBuildTest, AFromTheRegistryLacksFailsTheBuildSayingWhere) {
  Outcome out = Build("FROM nothere:1\nRUN x\n", {});
  ASSERT_TRUE(out.result.has_value());
  ASSERT_TRUE(out.result->has_error());
  EXPECT_NE(out.result->error().message().find("Dockerfile:1: FROM nothere:1"), std::string::npos)
      << out.result->error().message();
  EXPECT_NE(out.result->error().message().find("manifest unknown"), std::string::npos)
      << out.result->error().message();
}

}  // namespace
}  // namespace strata::coordinator
