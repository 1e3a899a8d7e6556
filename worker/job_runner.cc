#include "worker/job_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <optional>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/free_space.h"
#include "common/logging.h"
#include "snapshot/layer_unpacker.h"
#include "common/random_hex.h"
#include "worker/context_materializer.h"
#include "worker/job_request.h"
#include "worker/step_executor.h"

namespace strata::worker {
namespace {

constexpr size_t kChunkSize = 1 << 20;     // BlobPut data, as the wire allows
constexpr size_t kMaxLogLine = 64 * 1024;  // a longer "line" is sent in pieces

// Streams RUN output as JobLog lines (each with its '\n') on the job's
// connection. Called from the job thread only.
class JobLogSink : public sandbox::OutputSink {
 public:
  JobLogSink(protocol::Connection* connection, uint64_t request_id, std::string job_id,
             std::string worker_id)
      : connection_(connection),
        request_id_(request_id),
        job_id_(std::move(job_id)),
        worker_id_(std::move(worker_id)) {}

  void Write(sandbox::OutputStream stream, std::string_view data) override {
    std::string& pending = stream == sandbox::OutputStream::kStdout ? stdout_ : stderr_;
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
    if (!stdout_.empty()) SendLine(sandbox::OutputStream::kStdout, stdout_);
    if (!stderr_.empty()) SendLine(sandbox::OutputStream::kStderr, stderr_);
    stdout_.clear();
    stderr_.clear();
  }

 private:
  void SendLine(sandbox::OutputStream stream, std::string_view line) {
    protocol::Envelope envelope = protocol::NewEnvelope(request_id_);
    v1::JobLog* log = envelope.mutable_job_log();
    log->set_job_id(job_id_);
    log->set_worker_id(worker_id_);
    log->mutable_line()->set_stream(stream == sandbox::OutputStream::kStdout
                                        ? v1::LogLine::STREAM_STDOUT
                                        : v1::LogLine::STREAM_STDERR);
    log->mutable_line()->set_data(std::string(line));
    Status sent = connection_->Send(envelope);
    if (!sent.ok()) LOG(WARN) << "job " << job_id_ << ": log line lost: " << sent.message();
  }

  protocol::Connection* connection_;
  uint64_t request_id_;
  std::string job_id_;
  std::string worker_id_;
  std::string stdout_;
  std::string stderr_;
};

// Uploads the layer blob with BlobPut chunks of one request, read from its
// file a chunk at a time, and waits for the coordinator's Ack.
Status Upload(protocol::Connection& connection, const snapshot::LayerBlob& layer,
              std::chrono::milliseconds timeout) {
  int fd = ::open(layer.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", layer.path);
  uint64_t id = connection.NextRequestId();
  uint64_t offset = 0;
  std::string buffer(kChunkSize, '\0');
  Status sent;
  bool last = false;
  while (sent.ok() && !last) {
    size_t n = 0;
    while (n < buffer.size()) {  // a full chunk, unless the file ends
      ssize_t got = ::read(fd, buffer.data() + n, buffer.size() - n);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        sent = ErrnoStatus("read", layer.path);
        break;
      }
      if (got == 0) break;
      n += static_cast<size_t>(got);
    }
    if (!sent.ok()) break;
    last = offset + n >= layer.blob_size;
    protocol::Envelope envelope = protocol::NewEnvelope(id);
    v1::BlobPut* put = envelope.mutable_blob_put();
    put->set_digest(layer.blob_digest.ToString());
    put->set_offset(offset);
    put->set_data(buffer.substr(0, n));
    put->set_total_size(layer.blob_size);
    put->set_last(last);
    offset += n;
    if (!last && n < buffer.size()) {
      sent = Status::IOError("layer blob " + layer.path + " is shorter than its " +
                             std::to_string(layer.blob_size) + " bytes");
      break;
    }
    sent = connection.Send(envelope);
  }
  ::close(fd);
  TRY(sent);
  while (true) {
    Result<protocol::Envelope> reply = connection.Receive(timeout);
    if (!reply.ok()) {
      return Status(reply.status().code(),
                    "uploading layer " + layer.blob_digest.ToString() +
                        ": no Ack from the coordinator: " + reply.status().message())
          .WithRetryable(true);
    }
    if (reply->request_id() != id) continue;
    if (reply->has_ack()) return Status::OK();
    if (reply->has_error()) {
      Status s = protocol::StatusFromError(reply->error());
      return Status(s.code(),
                    "uploading layer " + layer.blob_digest.ToString() + ": " + s.message())
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

struct JobRunner::Scratch {
  std::unique_ptr<CacheLedger::Hold> hold;  // released last, after the mounts
  std::string context_dir;
  std::optional<snapshot::Mount> from_mount;
  std::string layer_path;  // a layer blob not (yet) moved into the cache
};

JobRunner::JobRunner(snapshot::Snapshotter* snapshotter, sandbox::Runtime* runtime,
                     BlobCache* blobs, CacheLedger* ledger, JobRunnerOptions options)
    : snapshotter_(snapshotter),
      runtime_(runtime),
      blobs_(blobs),
      ledger_(ledger),
      options_(std::move(options)) {}

Result<std::string> JobRunner::GetBlob(const Digest& digest, BlobFetcher& fetcher,
                                       CacheLedger::Hold& hold) {
  hold.Blob(digest);
  ASSIGN_OR_RETURN(std::string path, blobs_->Get(digest, fetcher));
  ledger_->AddedBlob(digest);
  return path;
}

Status JobRunner::EnsureLayer(const v1::LayerRef& ref, BlobFetcher& fetcher,
                              CacheLedger::Hold& hold) {
  hold.Layer(ref.diff_id());  // before the look: a layer found here stays
  ASSIGN_OR_RETURN(bool have, snapshotter_->HasLayer(ref.diff_id()));
  if (!have) {
    ASSIGN_OR_RETURN(Digest digest, Digest::Parse(ref.digest()));
    ASSIGN_OR_RETURN(std::string path, GetBlob(digest, fetcher, hold));
    snapshot::ExtractingUnpacker unpacker =
        snapshot::ExtractingUnpacker::FromFile(path, ref.diff_id());
    TRY(snapshotter_->EnsureLayer(ref.diff_id(), unpacker));
  }
  ledger_->AddedLayer(ref.diff_id());
  return Status::OK();
}

v1::JobResult JobRunner::Run(const v1::Job& job, uint64_t request_id,
                             protocol::Connection& connection, const std::atomic<bool>* cancel) {
  v1::JobResult result;
  result.set_job_id(job.job_id());
  Scratch scratch;
  scratch.hold = ledger_->NewHold();
  Status status = Execute(job, request_id, connection, cancel, scratch, result);
  if (scratch.from_mount) {
    Status released = snapshotter_->Release(*scratch.from_mount, snapshot::Keep::kNothing);
    if (!released.ok()) LOG(WARN) << "worker: job " << job.job_id() << ": " << released.message();
  }
  if (!scratch.context_dir.empty()) {
    RemoveTreeInBackground(scratch.context_dir, scratch.context_dir + ".trash")
        .PermitUncheckedError();
  }
  if (!scratch.layer_path.empty()) ::unlink(scratch.layer_path.c_str());
  if (!status.ok()) {
    if (status.code() == StatusCode::kCancelled) status = status.WithRetryable(true);
    if (status.code() == StatusCode::kIOError && !status.retryable()) {
      // Unpacking, fetching or writing on a full disk: another worker may
      // have room.
      Status room = RequireFreeSpace(options_.work_dir, kMinFreeBytes, "the next job");
      if (!room.ok()) {
        status = Status::IOError(status.message() + " (" + room.message() + ")").WithRetryable(true);
      }
    }
    LOG(WARN) << "worker: job " << job.job_id() << " (" << job.instruction()
              << ") failed: " << status.ToString();
    result.Clear();
    result.set_job_id(job.job_id());
    *result.mutable_error() = protocol::ErrorFromStatus(status);
  } else if (result.exit_code() != 0) {
    LOG(INFO) << "worker: job " << job.job_id() << ": " << result.failure();
  } else {
    LOG(INFO) << "worker: job " << job.job_id() << " done: " << result.layer_digest();
  }
  result.set_worker_id(options_.worker_id);
  return result;
}

namespace {

struct Stopwatch {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  int64_t Ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  }
};

}  // namespace

Status JobRunner::Execute(const v1::Job& job, uint64_t request_id, protocol::Connection& connection,
                          const std::atomic<bool>* cancel, Scratch& scratch,
                          v1::JobResult& result) {
  ConnectionBlobFetcher fetcher(&connection, options_.reply_timeout);
  CacheLedger::Hold& hold = *scratch.hold;
  for (const v1::LayerRef& ref : job.parents()) TRY(EnsureLayer(ref, fetcher, hold));
  if (job.parents_size() == 0) {
    // Only diff_ids: usable when unpacked here already.
    for (const std::string& diff_id : job.parent_chain()) {
      hold.Layer(diff_id);
      ASSIGN_OR_RETURN(bool have, snapshotter_->HasLayer(diff_id));
      if (!have) {
        return Status::NotFound("job " + job.job_id() + " names parent layer " + diff_id +
                                " without its blob (Job.parents) and this worker does not "
                                "have it unpacked")
            .WithRetryable(true);
      }
    }
  }
  ASSIGN_OR_RETURN(image::Compression compression, JobCompression(job));

  std::string source_root;
  bool is_copy = job.kind() == v1::Job::KIND_COPY || job.kind() == v1::Job::KIND_ADD;
  if (is_copy && job.copy().from_layers()) {
    std::vector<std::string> chain;
    for (const v1::LayerRef& ref : job.copy().from_chain()) {
      TRY(EnsureLayer(ref, fetcher, hold));
      chain.push_back(ref.diff_id());
    }
    // Its upper directory is thrown away, so nothing the copy could change
    // in the source survives: read-only in effect.
    ASSIGN_OR_RETURN(scratch.from_mount,
                     snapshotter_->Prepare(chain, "from-" + SafeName(job.job_id())));
    source_root = scratch.from_mount->target;
  } else if (is_copy) {
    Stopwatch materialize;
    scratch.context_dir = options_.work_dir + "/tmp/context-" + SafeName(job.job_id());
    TRY(MakeDirs(scratch.context_dir, 0755));
    TRY(MaterializeContext(
        job.copy().context(), scratch.context_dir,
        [&](const Digest& digest) { return GetBlob(digest, fetcher, hold); },
        job.has_source_date_epoch() ? job.source_date_epoch() : 0));
    source_root = scratch.context_dir;
    LOG(INFO) << "worker: job " << job.job_id() << ": " << job.copy().context_size()
              << " context entries materialized in " << materialize.Ms() << " ms";
  }
  ASSIGN_OR_RETURN(StepRequest request, StepRequestFromJob(job, source_root));
  request.cancel = cancel;

  StepExecutorOptions exec;
  exec.layer_dir = options_.work_dir + "/layers";
  exec.temp_dir = options_.work_dir + "/tmp";
  exec.compression = compression;
  StepExecutor executor(snapshotter_, runtime_, exec);
  JobLogSink log(&connection, request_id, job.job_id(), options_.worker_id);
  Result<StepResult> step = executor.Execute(request, &log);
  log.Flush();
  if (!step.ok()) return step.status();
  result.set_run_ms(step->run_time.count());
  result.set_diff_ms(step->diff_time.count());
  if (step->disk_full) {
    return Status::IOError("the RUN failed (exit code " + std::to_string(step->exit_code) +
                           ") on worker " + options_.worker_id +
                           ", whose disk is full; it runs again on another worker")
        .WithRetryable(true);
  }
  if (!step->ok()) {
    result.set_exit_code(step->exit_code);
    result.set_failure(step->error);
    result.set_output_tail(step->output_tail);
    return Status::OK();
  }
  const snapshot::LayerBlob& layer = step->layer;
  scratch.layer_path = layer.path;
  Stopwatch upload;
  if (!blobs_->InSharedDir(layer.blob_digest)) {
    TRY(Upload(connection, layer, options_.reply_timeout));
  }
  LOG(INFO) << "worker: job " << job.job_id() << ": run " << step->run_time.count() << " ms, layer "
            << step->diff_time.count() << " ms (" << layer.blob_size << " bytes), upload "
            << upload.Ms() << " ms";
  // Kept for later jobs that stack on this layer here.
  hold.Layer(layer.diff_id.ToString());
  ledger_->AddedLayer(layer.diff_id.ToString());
  hold.Blob(layer.blob_digest);
  if (blobs_->Adopt(layer.blob_digest, layer.path).ok()) {
    scratch.layer_path.clear();
    ledger_->AddedBlob(layer.blob_digest);
  }
  result.set_layer_digest(layer.blob_digest.ToString());
  result.set_diff_id(layer.diff_id.ToString());
  result.set_size(layer.blob_size);
  result.set_uncompressed_size(layer.uncompressed_size);
  result.set_media_type(layer.media_type);
  result.set_empty_layer(layer.empty);
  return Status::OK();
}

}  // namespace strata::worker
