#include "worker/agent.h"

#include <gtest/gtest.h>

#include <atomic>
#include <sys/stat.h>

#include <functional>
#include <map>
#include <thread>

#include "common/testing/temp_dir.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/random_hex.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"
#include "image/layer.h"
#include "image/layer_extract.h"
#include "protocol/listener.h"
#include "sandbox/testing/busybox_rootfs.h"
#include "sandbox/testing/fake_runtime.h"
#include "snapshot/testing/fake_snapshotter.h"
#include "worker/testing/real_worker.h"
#include "worker/worker_metrics.h"

namespace strata::worker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The coordinator's side of the worker endpoint, as far as these tests need
// it: registers the worker, serves BlobGet from memory, stores BlobPut
// uploads (digest checked, Ack), and records JobLog and JobResult.
class TestCoordinator {
 public:
  explicit TestCoordinator(const std::string& dir) {
    Result<std::unique_ptr<protocol::Listener>> listener =
        protocol::Listener::Bind(context_, "ipc://" + dir + "/worker.sock");
    EXPECT_TRUE(listener.ok()) << listener.status().ToString();
    if (listener.ok()) listener_ = std::move(*listener);
  }

  const std::string& endpoint() const { return listener_->endpoint(); }

  // Handles messages until `done()` or `timeout`; false on timeout.
  bool PumpUntil(const std::function<bool()>& done, milliseconds timeout = seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      Result<std::optional<protocol::Incoming>> in = listener_->Poll(milliseconds(50));
      if (!in.ok()) return false;
      if (in->has_value()) Handle(**in);
    }
    return true;
  }

  void SendJob(const v1::Job& job) {
    protocol::Envelope envelope = protocol::NewEnvelope(++next_request_);
    *envelope.mutable_job() = job;
    EXPECT_TRUE(listener_->Reply(job_peer, envelope).ok());
  }

  void SendCancel(const std::string& job_id) {
    protocol::Envelope envelope = protocol::NewEnvelope(++next_request_);
    envelope.mutable_cancel_job()->set_job_id(job_id);
    envelope.mutable_cancel_job()->set_reason("the build's client went away");
    EXPECT_TRUE(listener_->Reply(job_peer, envelope).ok());
  }

  bool HasResult(const std::string& job_id) const { return results.count(job_id) != 0; }

  std::string Logs(v1::LogLine::Stream stream) const {
    std::string out;
    for (const v1::JobLog& log : logs) {
      if (log.line().stream() == stream) out += log.line().data();
    }
    return out;
  }

  std::map<std::string, std::string> blobs;   // served by BlobGet: digest -> content
  std::map<std::string, std::string> stored;  // uploaded and verified: digest -> content
  std::vector<std::string> blob_gets;         // digests asked for
  std::vector<v1::Register> registers;
  std::vector<v1::JobLog> logs;
  std::map<std::string, v1::JobResult> results;
  int heartbeats = 0;
  v1::Heartbeat last_heartbeat;
  int upload_chunks = 0;
  bool forget_worker = false;  // answer heartbeats with NotFound
  std::string job_peer;

 private:
  void Handle(const protocol::Incoming& in) {
    const protocol::Envelope& e = in.envelope;
    if (e.has_register_worker()) {
      registers.push_back(e.register_worker());
      job_peer = in.peer;
      forget_worker = false;
      protocol::Envelope reply = protocol::NewEnvelope(e.request_id());
      reply.mutable_registered()->set_heartbeat_interval_ms(100);
      reply.mutable_registered()->set_dead_after_ms(5000);
      EXPECT_TRUE(listener_->Reply(in.peer, reply).ok());
    } else if (e.has_heartbeat()) {
      ++heartbeats;
      last_heartbeat = e.heartbeat();
      if (forget_worker) {
        EXPECT_TRUE(
            listener_
                ->Reply(in.peer, protocol::ErrorReply(e.request_id(), Status::NotFound("who?")))
                .ok());
      }
    } else if (e.has_blob_get()) {
      ServeBlob(in.peer, e);
    } else if (e.has_blob_put()) {
      const v1::BlobPut& put = e.blob_put();
      ++upload_chunks;
      std::string& data = uploads_[in.peer + std::to_string(e.request_id())];
      EXPECT_EQ(put.offset(), data.size());
      data += put.data();
      if (put.last()) {
        protocol::Envelope reply = protocol::NewEnvelope(e.request_id());
        if (Digest::Sha256Of(data).ToString() == put.digest()) {
          stored[put.digest()] = data;
          reply.mutable_ack();
        } else {
          reply = protocol::ErrorReply(e.request_id(), Status::Corruption("digest mismatch"));
        }
        EXPECT_TRUE(listener_->Reply(in.peer, reply).ok());
      }
    } else if (e.has_job_log()) {
      logs.push_back(e.job_log());
    } else if (e.has_job_result()) {
      results[e.job_result().job_id()] = e.job_result();
    }
  }

  void ServeBlob(const std::string& peer, const protocol::Envelope& e) {
    blob_gets.push_back(e.blob_get().digest());
    auto it = blobs.find(e.blob_get().digest());
    if (it == blobs.end()) {
      EXPECT_TRUE(
          listener_->Reply(peer, protocol::ErrorReply(e.request_id(), Status::NotFound("no blob")))
              .ok());
      return;
    }
    const std::string& data = it->second;
    size_t offset = 0;
    do {
      size_t n = std::min<size_t>(1 << 20, data.size() - offset);
      protocol::Envelope chunk = protocol::NewEnvelope(e.request_id());
      chunk.mutable_blob_put()->set_digest(it->first);
      chunk.mutable_blob_put()->set_offset(offset);
      chunk.mutable_blob_put()->set_data(data.substr(offset, n));
      offset += n;
      chunk.mutable_blob_put()->set_last(offset == data.size());
      EXPECT_TRUE(listener_->Reply(peer, chunk).ok());
    } while (offset < data.size());
  }

  protocol::Context context_;
  std::unique_ptr<protocol::Listener> listener_;
  std::map<std::string, std::string> uploads_;  // peer + request_id -> bytes so far
  uint64_t next_request_ = 1000;
};

// Runs a WorkerAgent on its own thread against a TestCoordinator.
class AgentTestBase : public ::testing::Test {
 protected:
  void TearDown() override {
    StopAgent();
    if (!dir_.empty() && !HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  void StartAgent(snapshot::Snapshotter* snapshotter, sandbox::Runtime* runtime,
                  bool shared_blob_dir, uint64_t max_cache = 0) {
    coordinator_ = std::make_unique<TestCoordinator>(dir_);
    Result<std::unique_ptr<BlobCache>> cache =
        BlobCache::Open(dir_ + "/worker/blobs", shared_blob_dir ? dir_ + "/store" : "");
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    cache_ = std::move(*cache);
    ledger_ = std::make_unique<CacheLedger>(snapshotter, cache_.get(), max_cache);
    ASSERT_TRUE(ledger_->Load().ok());
    WorkerAgentOptions options;
    options.coordinator = coordinator_->endpoint();
    options.worker_id = "test-worker";
    options.slots = 2;
    options.work_dir = dir_ + "/worker";
    options.reply_timeout = seconds(20);
    agent_ = std::make_unique<WorkerAgent>(context_, snapshotter, runtime, cache_.get(),
                                           ledger_.get(), options);
    agent_thread_ = std::thread([this] {
      run_status_ = agent_->Run();
      agent_returned_ = true;
    });
    ASSERT_TRUE(coordinator_->PumpUntil([&] { return !coordinator_->registers.empty(); }))
        << "the agent never registered";
  }

  void StopAgent() {
    if (!agent_) return;
    agent_->Stop();
    agent_thread_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
    agent_.reset();
  }

  // Sends `job` and waits for its JobResult.
  v1::JobResult RunJob(const v1::Job& job) {
    coordinator_->SendJob(job);
    EXPECT_TRUE(coordinator_->PumpUntil([&] { return coordinator_->HasResult(job.job_id()); }))
        << "no JobResult for " << job.job_id();
    return coordinator_->results[job.job_id()];
  }

  // Writes `dir` as a gzip layer blob; returns its LayerRef and content.
  v1::LayerRef WriteLayerOf(const std::string& dir, std::string* content) {
    std::string path = dir_ + "/layer-" + RandomHex(6) + ".tar.gz";
    Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(path);
    EXPECT_TRUE(sink.ok());
    Result<image::LayerResult> layer = image::WriteLayer(image::LayerSource::FromDirectory(dir),
                                                         image::Compression::kGzip, sink->get());
    EXPECT_TRUE(layer.ok()) << layer.status().ToString();
    EXPECT_TRUE((*sink)->Close().ok());
    *content = *ReadFile(path);
    v1::LayerRef ref;
    ref.set_digest(layer->blob_digest.ToString());
    ref.set_diff_id(layer->diff_id.ToString());
    ref.set_size(layer->blob_size);
    ref.set_media_type(std::string(image::LayerMediaType(image::Compression::kGzip)));
    return ref;
  }

  // Puts a blob where --blob-dir points (the local coordinator's store).
  void PutInStore(const std::string& digest, const std::string& content) {
    ASSERT_TRUE(MakeDirs(dir_ + "/store/sha256", 0755).ok());
    ASSERT_TRUE(WriteFile(dir_ + "/store/sha256/" + digest.substr(7), content).ok());
  }

  // Extracts an uploaded layer into a fresh directory.
  std::string ExtractUploaded(const std::string& digest) {
    std::string out = dir_ + "/extract-" + RandomHex(6);
    EXPECT_TRUE(MakeDirs(out, 0755).ok());
    EXPECT_EQ(coordinator_->stored.count(digest), 1u) << "layer " << digest << " not uploaded";
    image::StringSource source(coordinator_->stored[digest]);
    Result<image::ExtractResult> extracted = image::ExtractLayer(&source, out);
    EXPECT_TRUE(extracted.ok()) << extracted.status().ToString();
    return out;
  }

  static v1::Job Job(const std::string& id, v1::Job::Kind kind, const v1::LayerRef& base) {
    v1::Job job;
    job.set_job_id(id);
    job.set_build_id("b1");
    job.set_kind(kind);
    *job.add_parents() = base;
    job.add_parent_chain(base.diff_id());
    return job;
  }

  std::string dir_;
  protocol::Context context_;
  std::unique_ptr<TestCoordinator> coordinator_;
  std::unique_ptr<BlobCache> cache_;
  std::unique_ptr<CacheLedger> ledger_;
  std::unique_ptr<WorkerAgent> agent_;
  std::thread agent_thread_;
  Status run_status_;
  std::atomic<bool> agent_returned_{false};
};

// The protocol side with the fake snapshotter and runtime: runs anywhere.
class AgentProtocolTest : public AgentTestBase {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-agent-fake");
    snapshotter_ = std::make_unique<snapshot::FakeSnapshotter>(dir_ + "/snap");
    ASSERT_TRUE(MakeDirs(dir_ + "/base/etc", 0755).ok());
    ASSERT_TRUE(WriteFile(dir_ + "/base/etc/os-release", "fake\n").ok());
    base_ = WriteLayerOf(dir_ + "/base", &base_blob_);
  }

  std::unique_ptr<snapshot::FakeSnapshotter> snapshotter_;
  sandbox::FakeRuntime runtime_;
  v1::LayerRef base_;
  std::string base_blob_;
};

TEST_F(AgentProtocolTest, RegistersAndHeartbeats) {
  StartAgent(snapshotter_.get(), &runtime_, false);
  const v1::Register& reg = coordinator_->registers.front();
  EXPECT_EQ(reg.worker_id(), "test-worker");
  EXPECT_EQ(reg.slots(), 2u);
  EXPECT_EQ(reg.platform(), "linux/amd64");
  EXPECT_TRUE(coordinator_->PumpUntil([&] { return coordinator_->heartbeats >= 2; }, seconds(10)));
}

// A worker killed while writing a layer blob, or before handing one over,
// leaves it in layers/; its contexts and scripts in tmp/. The next start
// removes both before it registers.
TEST_F(AgentProtocolTest, ScratchADeadWorkerLeftIsRemovedAtStart) {
  ASSERT_TRUE(MakeDirs(dir_ + "/worker/layers", 0755).ok());
  ASSERT_TRUE(MakeDirs(dir_ + "/worker/tmp/context-job-7", 0755).ok());
  ASSERT_TRUE(WriteFile(dir_ + "/worker/layers/.layer-0123456789abcdef", "half a tar").ok());
  ASSERT_TRUE(WriteFile(dir_ + "/worker/layers/sha256-abc.tar.gz", "never uploaded").ok());
  StartAgent(snapshotter_.get(), &runtime_, false);
  struct stat st;
  EXPECT_NE(stat((dir_ + "/worker/layers/.layer-0123456789abcdef").c_str(), &st), 0);
  EXPECT_NE(stat((dir_ + "/worker/layers/sha256-abc.tar.gz").c_str(), &st), 0);
  EXPECT_NE(stat((dir_ + "/worker/tmp/context-job-7").c_str(), &st), 0);
  EXPECT_EQ(stat((dir_ + "/worker/layers").c_str(), &st), 0);
}

TEST_F(AgentProtocolTest, RegistersAgainWhenAHeartbeatIsNotFound) {
  StartAgent(snapshotter_.get(), &runtime_, false);
  coordinator_->forget_worker = true;
  EXPECT_TRUE(
      coordinator_->PumpUntil([&] { return coordinator_->registers.size() >= 2; }, seconds(10)));
  EXPECT_EQ(coordinator_->registers.back().worker_id(), "test-worker");
}

TEST_F(AgentProtocolTest, FetchesTheParentAndUploadsTheLayer) {
  StartAgent(snapshotter_.get(), &runtime_, false);
  coordinator_->blobs[base_.digest()] = base_blob_;
  runtime_.SetResult(sandbox::RunResult{}, "one\ntwo", "warn\n");
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  job.mutable_run()->set_prepend_shell(true);
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_EQ(coordinator_->blob_gets, std::vector<std::string>{base_.digest()});
  EXPECT_EQ(coordinator_->stored.count(result.layer_digest()), 1u);
  EXPECT_EQ(result.media_type(), image::LayerMediaType(image::Compression::kGzip));
  EXPECT_EQ(coordinator_->Logs(v1::LogLine::STREAM_STDOUT), "one\ntwo");
  EXPECT_EQ(coordinator_->Logs(v1::LogLine::STREAM_STDERR), "warn\n");
  // Each answer names the worker: the coordinator takes it only from the
  // worker it sent the job to.
  EXPECT_EQ(result.worker_id(), "test-worker");
  ASSERT_FALSE(coordinator_->logs.empty());
  for (const v1::JobLog& log : coordinator_->logs) EXPECT_EQ(log.worker_id(), "test-worker");
  ASSERT_EQ(runtime_.runs().size(), 1u);
  EXPECT_EQ(runtime_.runs()[0].args, (std::vector<std::string>{"/bin/sh", "-c", "true"}));

  // The parent is unpacked now: a second job fetches nothing.
  v1::Job again = job;
  again.set_job_id("run-2");
  ASSERT_FALSE(RunJob(again).has_error());
  EXPECT_EQ(coordinator_->blob_gets.size(), 1u);
}

// Heartbeats say what the worker keeps. Under a --max-cache smaller than
// one layer, a job still runs (what it uses is held while it runs), and
// what it used is evicted when it ends: the next job fetches the parent
// again.
TEST_F(AgentProtocolTest, HeldBytesAreReportedAndATinyMaxCacheEvictsAfterEachJob) {
  StartAgent(snapshotter_.get(), &runtime_, false, /*max_cache=*/1);
  coordinator_->blobs[base_.digest()] = base_blob_;
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  ASSERT_FALSE(RunJob(job).has_error());
  EXPECT_EQ(snapshotter_->Removed(), std::vector<std::string>{base_.diff_id()});
  struct stat st;
  EXPECT_NE(stat((dir_ + "/worker/blobs/sha256/" + base_.digest().substr(7)).c_str(), &st), 0)
      << "the parent's blob stayed in the cache";
  // The second beat after the result: the first may have left before the job ended.
  int seen = coordinator_->heartbeats;
  ASSERT_TRUE(coordinator_->PumpUntil([&] { return coordinator_->heartbeats > seen + 1; }));
  EXPECT_EQ(coordinator_->last_heartbeat.max_cache_bytes(), 1u);
  EXPECT_EQ(coordinator_->last_heartbeat.snapshots_size(), 0);

  v1::Job again = job;
  again.set_job_id("run-2");
  ASSERT_FALSE(RunJob(again).has_error());
  EXPECT_EQ(coordinator_->blob_gets.size(), 2u);
}

TEST_F(AgentProtocolTest, WithoutMaxCacheEverythingIsKeptAndCounted) {
  StartAgent(snapshotter_.get(), &runtime_, false);
  coordinator_->blobs[base_.digest()] = base_blob_;
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  ASSERT_FALSE(RunJob(job).has_error());
  EXPECT_TRUE(snapshotter_->Removed().empty());
  // The second beat after the result: the first may have left before the job ended.
  int seen = coordinator_->heartbeats;
  ASSERT_TRUE(coordinator_->PumpUntil([&] { return coordinator_->heartbeats > seen + 1; }));
  EXPECT_EQ(coordinator_->last_heartbeat.max_cache_bytes(), 0u);
  EXPECT_EQ(coordinator_->last_heartbeat.snapshots_size(), 1);
  // The parent's tree (one 5-byte file) and the blobs in the cache.
  Result<uint64_t> blobs = TreeBytes(dir_ + "/worker/blobs/sha256");
  ASSERT_TRUE(blobs.ok());
  EXPECT_GE(*blobs, base_blob_.size());
  EXPECT_EQ(coordinator_->last_heartbeat.held_bytes(), 5u + *blobs);
}

// The worker's own /metrics and /healthz.
TEST_F(AgentProtocolTest, MetricsCountJobsAndWhatIsKept) {
  StartAgent(snapshotter_.get(), &runtime_, false, /*max_cache=*/1 << 30);
  WorkerMetrics page(*agent_, *ledger_);
  coordinator_->blobs[base_.digest()] = base_blob_;
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  ASSERT_FALSE(RunJob(job).has_error());
  EXPECT_EQ(page.Serve("/healthz").status, 200);  // registered: it ran a job
  runtime_.SetResult(sandbox::RunResult{2, 0}, "", "boom\n");
  v1::Job failing = job;
  failing.set_job_id("run-2");
  ASSERT_EQ(RunJob(failing).exit_code(), 2);
  std::string text = page.Metrics();
  EXPECT_NE(text.find("strata_worker_slots 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("strata_worker_jobs_total{result=\"succeeded\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("strata_worker_jobs_total{result=\"run_failed\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("strata_worker_job_duration_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("strata_worker_max_cache_bytes 1073741824\n"), std::string::npos);
  EXPECT_NE(text.find("strata_worker_layers 1\n"), std::string::npos);
  EXPECT_EQ(page.Serve("/metrics").body, page.Metrics());
  EXPECT_EQ(page.Serve("/nothing").status, 404);
  StopAgent();
}

TEST_F(AgentProtocolTest, SharedBlobDirIsReadAndItsLayersAreNotUploaded) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), &runtime_, true);
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  // The fake snapshotter reports the whole tree as the upper dir and the
  // fake runtime changes nothing, so the step's layer is the base layer
  // again: a blob the shared directory already holds.
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_TRUE(coordinator_->blob_gets.empty()) << "the base is in the shared blob dir";
  EXPECT_EQ(result.layer_digest(), base_.digest());
  EXPECT_EQ(result.diff_id(), base_.diff_id());
  EXPECT_TRUE(coordinator_->stored.empty()) << "a layer the store has is not uploaded";
}

TEST_F(AgentProtocolTest, UploadsABigLayerInChunks) {
  // Incompressible, so the blob spans three 1 MiB chunks.
  std::string noise;
  uint64_t x = 88172645463325252ull;
  while (noise.size() < 2500 * 1024) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    noise.append(reinterpret_cast<const char*>(&x), sizeof(x));
  }
  ASSERT_TRUE(WriteFile(dir_ + "/base/noise", noise).ok());
  base_ = WriteLayerOf(dir_ + "/base", &base_blob_);
  StartAgent(snapshotter_.get(), &runtime_, false);
  coordinator_->blobs[base_.digest()] = base_blob_;
  v1::Job job = Job("big", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  ASSERT_EQ(coordinator_->stored.count(result.layer_digest()), 1u);
  EXPECT_EQ(coordinator_->stored[result.layer_digest()].size(), result.size());
  EXPECT_EQ(coordinator_->upload_chunks, 3);
}

TEST_F(AgentProtocolTest, AMissingParentBlobIsAnErrorResult) {
  StartAgent(snapshotter_.get(), &runtime_, false);
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("true");
  v1::JobResult result = RunJob(job);
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().code(), static_cast<int>(StatusCode::kNotFound));
  EXPECT_TRUE(result.layer_digest().empty());
}

TEST_F(AgentProtocolTest, AnInvalidJobIsAnInvalidArgumentResult) {
  StartAgent(snapshotter_.get(), &runtime_, false);
  coordinator_->blobs[base_.digest()] = base_blob_;
  v1::Job job = Job("bad", v1::Job::KIND_RUN, base_);  // no command
  v1::JobResult result = RunJob(job);
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().code(), static_cast<int>(StatusCode::kInvalidArgument));
  EXPECT_NE(result.error().message().find("without a command"), std::string::npos);
}

// Real runc and overlayfs over a busybox layer.
class AgentRealTest : public AgentTestBase {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-agent");
    Result<testing::RealWorker> real = testing::OpenRealWorker(dir_);
    ASSERT_TRUE(real.ok()) << real.status().ToString();
    if (!real->skip_reason.empty()) {
      GTEST_SKIP() << "worker agent end-to-end tests need runc and overlayfs: "
                   << real->skip_reason;
    }
    runtime_ = std::move(real->runtime);
    snapshotter_ = std::move(real->snapshotter);
    ASSERT_TRUE(MakeDirs(dir_ + "/busybox", 0755).ok());
    ASSERT_TRUE(sandbox::testing::MakeBusyboxRootfs(dir_ + "/busybox").ok());
    base_ = WriteLayerOf(dir_ + "/busybox", &base_blob_);
  }

  std::unique_ptr<sandbox::RuncRuntime> runtime_;
  std::unique_ptr<snapshot::OverlaySnapshotter> snapshotter_;
  v1::LayerRef base_;
  std::string base_blob_;
};

TEST_F(AgentRealTest, RunJobUploadsTheLayerAndStreamsOutput) {
  PutInStore(base_.digest(), base_blob_);  // --blob-dir: no BlobGet for the base
  StartAgent(snapshotter_.get(), runtime_.get(), true);
  v1::Job job = Job("run-1", v1::Job::KIND_RUN, base_);
  job.set_instruction("RUN echo hi > /x");
  job.mutable_run()->add_args("echo hi > /x && echo out && echo err >&2");
  job.mutable_run()->set_prepend_shell(true);
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_FALSE(result.empty_layer());
  EXPECT_TRUE(coordinator_->blob_gets.empty());
  EXPECT_EQ(coordinator_->Logs(v1::LogLine::STREAM_STDOUT), "out\n");
  EXPECT_EQ(coordinator_->Logs(v1::LogLine::STREAM_STDERR), "err\n");
  std::string tree = ExtractUploaded(result.layer_digest());
  EXPECT_EQ(*ReadFile(tree + "/x"), "hi\n");
  EXPECT_FALSE(ReadFile(tree + "/bin/busybox").ok()) << "the layer holds only the change";
}

TEST_F(AgentRealTest, FailingRunReportsExitCodeAndOutput) {
  StartAgent(snapshotter_.get(), runtime_.get(), false);
  coordinator_->blobs[base_.digest()] = base_blob_;  // fetched with BlobGet
  v1::Job job = Job("run-fail", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("echo oops; exit 3");
  job.mutable_run()->set_prepend_shell(true);
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(result.exit_code(), 3);
  EXPECT_NE(result.failure().find("did not complete successfully: exit code: 3"), std::string::npos)
      << result.failure();
  EXPECT_NE(result.output_tail().find("oops"), std::string::npos);
  EXPECT_TRUE(result.layer_digest().empty());
  EXPECT_TRUE(coordinator_->stored.empty());
  EXPECT_EQ(coordinator_->blob_gets, std::vector<std::string>{base_.digest()});
}

TEST_F(AgentRealTest, CopyJobFetchesTheContextFiles) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);
  v1::Job job = Job("copy-1", v1::Job::KIND_COPY, base_);
  job.mutable_copy()->add_sources("a.txt");
  job.mutable_copy()->add_sources("sub/b.sh");
  job.mutable_copy()->set_dest("/app/");
  std::map<std::string, std::pair<std::string, uint32_t>> files = {
      {"a.txt", {"alpha\n", 0644}}, {"sub/b.sh", {"#!/bin/sh\necho b\n", 0755}}};
  for (const auto& [path, file] : files) {
    Digest digest = Digest::Sha256Of(file.first);
    coordinator_->blobs[digest.ToString()] = file.first;
    v1::ContextEntry* entry = job.mutable_copy()->add_context();
    entry->set_path(path);
    entry->set_type(v1::ContextEntry::TYPE_REGULAR);
    entry->set_mode(file.second);
    entry->set_size(file.first.size());
    entry->set_sha256(digest.ToString());
  }
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(coordinator_->blob_gets.size(), 2u);
  std::string tree = ExtractUploaded(result.layer_digest());
  EXPECT_EQ(*ReadFile(tree + "/app/a.txt"), "alpha\n");
  EXPECT_EQ(*ReadFile(tree + "/app/b.sh"), "#!/bin/sh\necho b\n");

  // The same job again gives the same layer: mtimes do not leak in.
  v1::Job again = job;
  again.set_job_id("copy-2");
  v1::JobResult second = RunJob(again);
  ASSERT_FALSE(second.has_error()) << second.error().message();
  EXPECT_EQ(second.layer_digest(), result.layer_digest());
}

TEST_F(AgentRealTest, CopyFromLayersReadsTheirRootfs) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);
  ASSERT_TRUE(MakeDirs(dir_ + "/stage/out", 0755).ok());
  ASSERT_TRUE(WriteFile(dir_ + "/stage/out/result.txt", "built\n", 0640).ok());
  std::string stage_blob;
  v1::LayerRef stage = WriteLayerOf(dir_ + "/stage", &stage_blob);
  coordinator_->blobs[stage.digest()] = stage_blob;  // only the coordinator has it

  v1::Job job = Job("copy-from", v1::Job::KIND_COPY, base_);
  job.mutable_copy()->add_sources("/out/result.txt");
  job.mutable_copy()->set_dest("/copied.txt");
  job.mutable_copy()->set_from_layers(true);
  *job.mutable_copy()->add_from_chain() = stage;
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_EQ(coordinator_->blob_gets, std::vector<std::string>{stage.digest()});
  std::string tree = ExtractUploaded(result.layer_digest());
  EXPECT_EQ(*ReadFile(tree + "/copied.txt"), "built\n");
}

TEST_F(AgentRealTest, StopCancelsARunningRun) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);
  v1::Job job = Job("long", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("echo started; sleep 60");
  job.mutable_run()->set_prepend_shell(true);
  coordinator_->SendJob(job);
  ASSERT_TRUE(coordinator_->PumpUntil(
      [&] { return coordinator_->Logs(v1::LogLine::STREAM_STDOUT) == "started\n"; }));
  auto start = std::chrono::steady_clock::now();
  StopAgent();  // returns once the job thread has ended
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(30));
  ASSERT_TRUE(coordinator_->PumpUntil([&] { return coordinator_->HasResult("long"); }, seconds(5)));
  const v1::JobResult& result = coordinator_->results["long"];
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().code(), static_cast<int>(StatusCode::kCancelled));
  EXPECT_TRUE(result.error().retryable());
}

// The coordinator's CancelJob stops that RUN and no other.
TEST_F(AgentRealTest, CancelJobStopsThatRunOnly) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);  // 2 slots
  for (const char* id : {"doomed", "kept"}) {
    v1::Job job = Job(id, v1::Job::KIND_RUN, base_);
    job.mutable_run()->add_args(std::string("echo ") + id + "; sleep 60");
    job.mutable_run()->set_prepend_shell(true);
    coordinator_->SendJob(job);
  }
  ASSERT_TRUE(coordinator_->PumpUntil([&] {
    std::string out = coordinator_->Logs(v1::LogLine::STREAM_STDOUT);
    return out.find("doomed\n") != std::string::npos && out.find("kept\n") != std::string::npos;
  }));
  coordinator_->SendCancel("doomed");
  ASSERT_TRUE(
      coordinator_->PumpUntil([&] { return coordinator_->HasResult("doomed"); }, seconds(20)));
  EXPECT_EQ(coordinator_->results["doomed"].error().code(),
            static_cast<int>(StatusCode::kCancelled));
  EXPECT_FALSE(coordinator_->HasResult("kept"));
  EXPECT_EQ(agent_->running_jobs(), 1u);
  StopAgent();
}

// SIGTERM: the running job finishes, one sent meanwhile comes back as a
// retryable error, and the agent stops by itself once nothing runs.
TEST_F(AgentRealTest, DrainFinishesTheRunningJobRefusesNewOnesAndStops) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);
  v1::Job job = Job("finishing", v1::Job::KIND_RUN, base_);
  job.mutable_run()->add_args("echo begun; sleep 1; echo ended > /ended");
  job.mutable_run()->set_prepend_shell(true);
  coordinator_->SendJob(job);
  ASSERT_TRUE(coordinator_->PumpUntil(
      [&] { return coordinator_->Logs(v1::LogLine::STREAM_STDOUT) == "begun\n"; }));
  agent_->Drain(seconds(60));
  coordinator_->SendJob(Job("late", v1::Job::KIND_WORKDIR, base_));
  ASSERT_TRUE(coordinator_->PumpUntil(
      [&] { return coordinator_->HasResult("finishing") && coordinator_->HasResult("late"); },
      seconds(20)));
  EXPECT_FALSE(coordinator_->results["finishing"].has_error())
      << coordinator_->results["finishing"].error().message();
  const v1::JobResult& late = coordinator_->results["late"];
  ASSERT_TRUE(late.has_error());
  EXPECT_TRUE(late.error().retryable());
  EXPECT_NE(late.error().message().find("draining"), std::string::npos);
  EXPECT_TRUE(coordinator_->PumpUntil([&] { return agent_returned_.load(); }, seconds(10)))
      << "the drained agent did not stop by itself";
  StopAgent();
}

TEST_F(AgentRealTest, WorkdirJobCreatesTheDirectoryForTheUser) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);
  v1::Job job = Job("workdir", v1::Job::KIND_WORKDIR, base_);
  job.mutable_state()->set_workdir("/srv/app");
  job.mutable_state()->set_user("app");
  v1::JobResult result = RunJob(job);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  std::string tree = ExtractUploaded(result.layer_digest());
  struct stat st;
  ASSERT_EQ(::stat((tree + "/srv/app").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_uid, 1000u);
}

TEST_F(AgentRealTest, JobsRunSideBySide) {
  PutInStore(base_.digest(), base_blob_);
  StartAgent(snapshotter_.get(), runtime_.get(), true);  // 2 slots
  v1::Job slow = Job("slow", v1::Job::KIND_RUN, base_);
  slow.mutable_run()->add_args("echo slow; sleep 60");
  slow.mutable_run()->set_prepend_shell(true);
  coordinator_->SendJob(slow);
  ASSERT_TRUE(coordinator_->PumpUntil(
      [&] { return coordinator_->Logs(v1::LogLine::STREAM_STDOUT) == "slow\n"; }));
  v1::Job quick = Job("quick", v1::Job::KIND_RUN, base_);
  quick.mutable_run()->add_args("echo quick > /q");
  quick.mutable_run()->set_prepend_shell(true);
  v1::JobResult result = RunJob(quick);
  ASSERT_FALSE(result.has_error()) << result.error().message();
  EXPECT_FALSE(coordinator_->HasResult("slow")) << "the quick job waited for the slow one";
  // The quick job's thread ends just after its JobResult.
  EXPECT_TRUE(coordinator_->PumpUntil([&] { return agent_->running_jobs() == 1; }, seconds(5)));
  StopAgent();
  EXPECT_TRUE(coordinator_->PumpUntil([&] { return coordinator_->HasResult("slow"); }, seconds(5)));
}

}  // namespace
}  // namespace strata::worker
