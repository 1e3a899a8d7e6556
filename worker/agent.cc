#include "worker/agent.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/logging.h"
#include "worker/context_materializer.h"
#include "worker/fs_util.h"
#include "worker/job_request.h"
#include "worker/layer_unpacker.h"
#include "worker/step_executor.h"

namespace strata::worker {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kChunkSize = 1 << 20;        // BlobPut data, as the wire allows
constexpr size_t kMaxLogLine = 64 * 1024;     // a longer "line" is sent in pieces
constexpr auto kPollInterval = std::chrono::milliseconds(100);

// Streams RUN output as JobLog lines (each with its '\n') on the job's
// connection. Called from the job thread only.
class JobLogSink : public OutputSink {
 public:
  JobLogSink(protocol::Connection* connection, uint64_t request_id, std::string job_id)
      : connection_(connection), request_id_(request_id), job_id_(std::move(job_id)) {}

  void Write(OutputStream stream, std::string_view data) override {
    std::string& pending = stream == OutputStream::kStdout ? stdout_ : stderr_;
    pending.append(data);
    size_t start = 0;
    for (size_t nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      SendLine(stream, std::string_view(pending).substr(start, nl + 1 - start));
      start = nl + 1;
    }
    while (pending.size() - start >= kMaxLogLine) {
      SendLine(stream, std::string_view(pending).substr(start, kMaxLogLine));
      start += kMaxLogLine;
    }
    pending.erase(0, start);
  }

  // Sends what is left without a newline.
  void Flush() {
    if (!stdout_.empty()) SendLine(OutputStream::kStdout, stdout_);
    if (!stderr_.empty()) SendLine(OutputStream::kStderr, stderr_);
    stdout_.clear();
    stderr_.clear();
  }

 private:
  void SendLine(OutputStream stream, std::string_view line) {
    protocol::Envelope envelope = protocol::NewEnvelope(request_id_);
    v1::JobLog* log = envelope.mutable_job_log();
    log->set_job_id(job_id_);
    log->mutable_line()->set_stream(stream == OutputStream::kStdout
                                         ? v1::LogLine::STREAM_STDOUT
                                         : v1::LogLine::STREAM_STDERR);
    log->mutable_line()->set_data(std::string(line));
    Status sent = connection_->Send(envelope);
    if (!sent.ok()) LOG(WARN) << "job " << job_id_ << ": log line lost: " << sent.message();
  }

  protocol::Connection* connection_;
  uint64_t request_id_;
  std::string job_id_;
  std::string stdout_;
  std::string stderr_;
};

// Uploads the blob at `path` with BlobPut chunks of one request and waits
// for the coordinator's Ack.
Status Upload(protocol::Connection& connection, const LayerBlob& layer,
              std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(std::string data, ReadFile(layer.path));
  uint64_t id = connection.NextRequestId();
  size_t offset = 0;
  do {
    size_t n = std::min(kChunkSize, data.size() - offset);
    protocol::Envelope envelope = protocol::NewEnvelope(id);
    v1::BlobPut* put = envelope.mutable_blob_put();
    put->set_digest(layer.blob_digest.ToString());
    put->set_offset(offset);
    put->set_data(data.substr(offset, n));
    put->set_total_size(data.size());
    offset += n;
    put->set_last(offset == data.size());
    TRY(connection.Send(envelope));
  } while (offset < data.size());
  while (true) {
    Result<protocol::Envelope> reply = connection.Receive(timeout);
    if (!reply.ok()) {
      return Status(reply.status().code(), "uploading layer " + layer.blob_digest.ToString() +
                                               ": no Ack from the coordinator: " +
                                               reply.status().message())
          .WithRetryable(true);
    }
    if (reply->request_id() != id) continue;
    if (reply->has_ack()) return Status::OK();
    if (reply->has_error()) {
      Status s = protocol::StatusFromError(reply->error());
      return Status(s.code(), "uploading layer " + layer.blob_digest.ToString() + ": " + s.message())
          .WithRetryable(true);
    }
    return Status::Internal("coordinator answered the upload of " + layer.blob_digest.ToString() +
                            " with " + protocol::BodyName(*reply));
  }
}

// A file-system-safe name for a job's scratch directories.
std::string SafeName(const std::string& job_id) {
  std::string out;
  for (char c : job_id.substr(0, 40)) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out + "-" + RandomHex(8);
}

}  // namespace

WorkerAgent::WorkerAgent(protocol::Context& context, Snapshotter* snapshotter, Runtime* runtime,
                         BlobCache* blobs, WorkerAgentOptions options)
    : context_(context),
      snapshotter_(snapshotter),
      runtime_(runtime),
      blobs_(blobs),
      options_(std::move(options)) {}

WorkerAgent::~WorkerAgent() {
  Stop();
  ReapJobs(/*all=*/true);
}

void WorkerAgent::Stop() {
  stop_ = true;
  cancel_ = true;
}

Status WorkerAgent::Run() {
  TRY(MakeDirs(options_.work_dir + "/layers"));
  TRY(RemoveTree(options_.work_dir + "/tmp"));
  TRY(MakeDirs(options_.work_dir + "/tmp"));
  ASSIGN_OR_RETURN(std::unique_ptr<protocol::Connection> connection,
                   protocol::Connection::Connect(context_, options_.coordinator));
  std::thread heartbeat([this] { HeartbeatLoop(); });

  uint64_t register_id = 0;
  Clock::time_point register_sent;
  need_register_ = true;
  while (!stop_) {
    if (need_register_ ||
        (!registered_ && Clock::now() - register_sent > options_.register_retry)) {
      need_register_ = false;
      registered_ = false;
      register_id = connection->NextRequestId();
      protocol::Envelope envelope = protocol::NewEnvelope(register_id);
      v1::Register* reg = envelope.mutable_register_worker();
      reg->set_worker_id(options_.worker_id);
      reg->set_slots(options_.slots);
      reg->set_platform(options_.platform);
      reg->set_version(options_.version);
      Status sent = connection->Send(envelope);
      if (!sent.ok()) LOG(WARN) << "worker: Register not sent: " << sent.message();
      register_sent = Clock::now();
    }
    ReapJobs(/*all=*/false);
    Result<protocol::Envelope> in = connection->Receive(kPollInterval);
    if (!in.ok()) {
      if (in.status().code() != StatusCode::kTimedOut) {
        LOG(WARN) << "worker: receive from " << options_.coordinator << ": " << in.status().message();
        std::this_thread::sleep_for(kPollInterval);  // no busy loop on a broken socket
      }
      continue;
    }
    if (in->has_registered()) {
      if (in->request_id() != register_id) continue;
      if (in->registered().heartbeat_interval_ms() > 0) {
        heartbeat_ms_ = in->registered().heartbeat_interval_ms();
      }
      registered_ = true;
      LOG(INFO) << "worker " << options_.worker_id << " registered with " << options_.coordinator
                << " (" << options_.slots << " slots)";
    } else if (in->has_job()) {
      StartJob(*in);
    } else if (in->has_shutdown()) {
      LOG(INFO) << "worker: the coordinator asked us to shut down";
      Stop();
    } else if (in->has_error()) {
      Status s = protocol::StatusFromError(in->error());
      LOG(WARN) << "worker: coordinator error for request " << in->request_id() << ": "
                << s.ToString();
    } else {
      LOG(DEBUG) << "worker: ignoring " << protocol::BodyName(*in) << " from the coordinator";
    }
  }
  LOG(INFO) << "worker " << options_.worker_id << " stopping: cancelling " << running_.load()
            << " running job(s)";
  ReapJobs(/*all=*/true);
  heartbeat.join();
  // Sockets close without lingering: give the last JobResults a moment to
  // leave before the caller tears the connections down.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return Status::OK();
}

void WorkerAgent::HeartbeatLoop() {
  Result<std::unique_ptr<protocol::Connection>> connection =
      protocol::Connection::Connect(context_, options_.coordinator);
  if (!connection.ok()) {
    LOG(ERROR) << "worker: heartbeat connection to " << options_.coordinator << ": "
               << connection.status().message();
    return;
  }
  Clock::time_point next = Clock::now();
  while (!stop_) {
    if (registered_ && Clock::now() >= next) {
      protocol::Envelope envelope = protocol::NewEnvelope((*connection)->NextRequestId());
      v1::Heartbeat* beat = envelope.mutable_heartbeat();
      beat->set_worker_id(options_.worker_id);
      beat->set_running_jobs(running_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const std::string& diff_id : layers_) beat->add_snapshots(diff_id);
      }
      Status sent = (*connection)->Send(envelope);
      if (!sent.ok()) LOG(WARN) << "worker: heartbeat not sent: " << sent.message();
      next = Clock::now() + std::chrono::milliseconds(heartbeat_ms_.load());
    }
    Result<protocol::Envelope> in = (*connection)->Receive(kPollInterval);
    if (in.ok() && in->has_error() &&
        static_cast<StatusCode>(in->error().code()) == StatusCode::kNotFound) {
      LOG(WARN) << "worker: the coordinator does not know " << options_.worker_id
                << "; registering again";
      need_register_ = true;
    }
  }
}

Result<std::unique_ptr<protocol::Connection>> WorkerAgent::AcquireConnection() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<protocol::Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return protocol::Connection::Connect(context_, options_.coordinator);
}

void WorkerAgent::ReleaseConnection(std::unique_ptr<protocol::Connection> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(connection));
}

void WorkerAgent::StartJob(const protocol::Envelope& envelope) {
  const std::string& job_id = envelope.job().job_id();
  for (const JobThread& j : jobs_) {
    if (j.job_id == job_id && !j.done) {
      LOG(WARN) << "worker: job " << job_id << " is already running; duplicate ignored";
      return;
    }
  }
  LOG(INFO) << "worker: job " << job_id << ": " << envelope.job().instruction();
  JobThread& job = jobs_.emplace_back();
  job.job_id = job_id;
  ++running_;
  job.thread = std::thread([this, envelope, &job] {
    RunJob(envelope);
    --running_;
    job.done = true;
  });
}

void WorkerAgent::ReapJobs(bool all) {
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (all || it->done) {
      it->thread.join();
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

void WorkerAgent::RunJob(const protocol::Envelope& envelope) {
  const v1::Job& job = envelope.job();
  protocol::Envelope reply = protocol::NewEnvelope(envelope.request_id());
  v1::JobResult* result = reply.mutable_job_result();
  result->set_job_id(job.job_id());

  Result<std::unique_ptr<protocol::Connection>> connection = AcquireConnection();
  if (!connection.ok()) {
    LOG(ERROR) << "worker: job " << job.job_id() << ": no connection: "
               << connection.status().message();
    return;  // the coordinator re-queues it when we stop answering
  }
  protocol::Connection& conn = **connection;
  ConnectionBlobFetcher fetcher(&conn, options_.reply_timeout);
  JobLogSink log(&conn, envelope.request_id(), job.job_id());

  // Everything the job needs on disk, released on every path.
  std::string context_dir;
  std::optional<Mount> from_mount;
  std::string layer_path;

  auto ensure_layer = [&](const v1::LayerRef& ref) -> Status {
    ASSIGN_OR_RETURN(bool have, snapshotter_->HasLayer(ref.diff_id()));
    if (!have) {
      ASSIGN_OR_RETURN(Digest digest, Digest::Parse(ref.digest()));
      ASSIGN_OR_RETURN(std::string path, blobs_->Get(digest, fetcher));
      ExtractingUnpacker unpacker = ExtractingUnpacker::FromFile(path, ref.diff_id());
      TRY(snapshotter_->EnsureLayer(ref.diff_id(), unpacker));
    }
    std::lock_guard<std::mutex> lock(mu_);
    layers_.insert(ref.diff_id());
    return Status::OK();
  };

  auto execute = [&]() -> Status {
    for (const v1::LayerRef& ref : job.parents()) TRY(ensure_layer(ref));
    ASSIGN_OR_RETURN(image::Compression compression, JobCompression(job));
    std::string source_root;
    bool is_copy = job.kind() == v1::Job::KIND_COPY || job.kind() == v1::Job::KIND_ADD;
    if (is_copy && job.copy().from_layers()) {
      std::vector<std::string> chain;
      for (const v1::LayerRef& ref : job.copy().from_chain()) {
        TRY(ensure_layer(ref));
        chain.push_back(ref.diff_id());
      }
      // The upper directory is thrown away, so nothing the copy could
      // change in the source survives.
      ASSIGN_OR_RETURN(from_mount, snapshotter_->Prepare(chain, "from-" + SafeName(job.job_id())));
      source_root = from_mount->target;
    } else if (is_copy) {
      context_dir = options_.work_dir + "/tmp/context-" + SafeName(job.job_id());
      TRY(MakeDirs(context_dir));
      TRY(MaterializeContext(
          job.copy().context(), context_dir,
          [&](const Digest& digest) { return blobs_->Get(digest, fetcher); },
          job.has_source_date_epoch() ? job.source_date_epoch() : 0));
      source_root = context_dir;
    }
    ASSIGN_OR_RETURN(StepRequest request, StepRequestFromJob(job, source_root));
    request.cancel = &cancel_;

    StepExecutorOptions exec;
    exec.layer_dir = options_.work_dir + "/layers";
    exec.temp_dir = options_.work_dir + "/tmp";
    exec.compression = compression;
    StepExecutor executor(snapshotter_, runtime_, exec);
    Result<StepResult> step = executor.Execute(request, &log);
    log.Flush();
    if (!step.ok()) return step.status();
    result->set_run_ms(step->run_time.count());
    result->set_diff_ms(step->diff_time.count());
    if (!step->ok()) {
      result->set_exit_code(step->exit_code);
      result->set_failure(step->error);
      result->set_output_tail(step->output_tail);
      return Status::OK();
    }
    const LayerBlob& layer = step->layer;
    layer_path = layer.path;
    if (!blobs_->InSharedDir(layer.blob_digest)) {
      TRY(Upload(conn, layer, options_.reply_timeout));
    }
    // Kept for later jobs that stack on this layer here.
    if (blobs_->Adopt(layer.blob_digest, layer.path).ok()) layer_path.clear();
    result->set_layer_digest(layer.blob_digest.ToString());
    result->set_diff_id(layer.diff_id.ToString());
    result->set_size(layer.blob_size);
    result->set_media_type(layer.media_type);
    result->set_empty_layer(layer.empty);
    return Status::OK();
  };

  Status status = execute();
  if (from_mount) {
    Status released = snapshotter_->Release(*from_mount, Keep::kNothing);
    if (!released.ok()) LOG(WARN) << "worker: job " << job.job_id() << ": " << released.message();
  }
  if (!context_dir.empty()) RemoveTree(context_dir).PermitUncheckedError();
  if (!layer_path.empty()) ::unlink(layer_path.c_str());
  if (!status.ok()) {
    if (status.code() == StatusCode::kCancelled) status = status.WithRetryable(true);
    LOG(WARN) << "worker: job " << job.job_id() << " (" << job.instruction()
              << ") failed: " << status.ToString();
    v1::JobResult failed;
    failed.set_job_id(job.job_id());
    *failed.mutable_error() = protocol::ErrorFromStatus(status);
    *result = failed;
  } else if (result->exit_code() != 0) {
    LOG(INFO) << "worker: job " << job.job_id() << ": " << result->failure();
  } else {
    LOG(INFO) << "worker: job " << job.job_id() << " done: " << result->layer_digest();
  }
  Status sent = conn.Send(reply);
  if (!sent.ok()) {
    LOG(ERROR) << "worker: job " << job.job_id() << ": JobResult not sent: " << sent.message();
  }
  ReleaseConnection(std::move(*connection));
}

}  // namespace strata::worker
