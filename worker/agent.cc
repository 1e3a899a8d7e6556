#include "worker/agent.h"

#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/thread_top.h"

namespace strata::worker {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

WorkerAgent::WorkerAgent(protocol::Context& context, snapshot::Snapshotter* snapshotter,
                         sandbox::Runtime* runtime, BlobCache* blobs, CacheLedger* ledger,
                         WorkerAgentOptions options)
    : context_(context),
      options_(std::move(options)),
      ledger_(ledger),
      runner_(snapshotter, runtime, blobs, ledger,
              {options_.work_dir, options_.reply_timeout, options_.worker_id}) {}

WorkerAgent::~WorkerAgent() {
  Stop();
  ReapJobs(/*all=*/true);
}

void WorkerAgent::Stop() { stop_ = true; }

void WorkerAgent::Drain(std::chrono::milliseconds grace) {
  if (draining_.exchange(true)) return;
  drain_deadline_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>((Clock::now() + grace).time_since_epoch())
          .count();
  beat_now_ = true;
  LOG(INFO) << "worker " << options_.worker_id << " draining: no new jobs; " << running_jobs()
            << " running job(s) get " << grace.count() / 1000 << " s to finish";
}

Status WorkerAgent::Run() {
  // Scratch of a worker that died here: layer blobs it was writing or had
  // not handed over yet, contexts and scripts.
  TRY(RemoveTree(options_.work_dir + "/layers"));
  TRY(MakeDirs(options_.work_dir + "/layers", 0755));
  TRY(RemoveTree(options_.work_dir + "/tmp"));
  TRY(MakeDirs(options_.work_dir + "/tmp", 0755));
  ASSIGN_OR_RETURN(std::unique_ptr<protocol::Connection> connection,
                   protocol::Connection::Connect(context_, options_.coordinator, options_.connection));
  std::thread heartbeat([this] {
    Status crashed = CatchAtThreadTop("heartbeats", [this] { HeartbeatLoop(); });
    if (!crashed.ok()) Stop();  // a worker that cannot heartbeat must not keep jobs
  });

  Status refused = Status::OK();
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
      if (!options_.host.empty()) (*reg->mutable_labels())["host"] = options_.host;
      Status sent = connection->Send(envelope);
      if (!sent.ok()) LOG(WARN) << "worker: Register not sent: " << sent.message();
      register_sent = Clock::now();
    }
    ReapJobs(/*all=*/false);
    if (draining_) {
      const int64_t now =
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
              .count();
      if (running_jobs() == 0) {
        LOG(INFO) << "worker " << options_.worker_id << " drained: every job finished";
        break;
      }
      if (now >= drain_deadline_ns_) {
        LOG(WARN) << "worker " << options_.worker_id << " drain period over: handing back "
                  << running_jobs() << " running job(s)";
        break;
      }
    }
    Result<protocol::Envelope> in = connection->Receive(kPollInterval);
    if (!in.ok()) {
      if (in.status().code() != StatusCode::kTimedOut) {
        LOG(WARN) << "worker: receive from " << options_.coordinator << ": "
                  << in.status().message();
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
    } else if (in->has_cancel_job()) {
      CancelJob(in->cancel_job());
    } else if (in->has_shutdown()) {
      LOG(INFO) << "worker: the coordinator asked us to shut down";
      Stop();
    } else if (in->has_error() &&
               static_cast<StatusCode>(in->error().code()) == StatusCode::kPermissionDenied) {
      // Refused for good (no token, or not a worker's): retrying changes nothing.
      refused = protocol::StatusFromError(in->error());
      LOG(ERROR) << "worker: the coordinator at " << options_.coordinator
                 << " refused us: " << refused.message();
      break;
    } else if (in->has_error()) {
      Status s = protocol::StatusFromError(in->error());
      LOG(WARN) << "worker: coordinator error for request " << in->request_id() << ": "
                << s.ToString();
    } else {
      LOG(DEBUG) << "worker: ignoring " << protocol::BodyName(*in) << " from the coordinator";
    }
  }
  stop_ = true;  // a drain ended the loop: the heartbeats end too
  LOG(INFO) << "worker " << options_.worker_id << " stopping: cancelling " << running_jobs()
            << " running job(s)";
  ReapJobs(/*all=*/true);
  heartbeat.join();
  // Sockets close without lingering: give the last JobResults a moment to
  // leave before the caller tears the connections down.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return refused;
}

uint32_t WorkerAgent::running_jobs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<uint32_t>(running_ids_.size());
}

void WorkerAgent::HeartbeatLoop() {
  Result<std::unique_ptr<protocol::Connection>> connection =
      protocol::Connection::Connect(context_, options_.coordinator, options_.connection);
  if (!connection.ok()) {
    LOG(ERROR) << "worker: heartbeat connection to " << options_.coordinator << ": "
               << connection.status().message();
    return;
  }
  Clock::time_point next = Clock::now();
  while (!stop_) {
    if (registered_ && (Clock::now() >= next || beat_now_.exchange(false))) {
      protocol::Envelope envelope = protocol::NewEnvelope((*connection)->NextRequestId());
      v1::Heartbeat* beat = envelope.mutable_heartbeat();
      beat->set_worker_id(options_.worker_id);
      beat->set_draining(draining_);
      {
        std::lock_guard<std::mutex> lock(mu_);
        beat->set_running_jobs(static_cast<uint32_t>(running_ids_.size()));
        for (const std::string& id : running_ids_) beat->add_running_job_ids(id);
      }
      for (const std::string& diff_id : ledger_->Layers()) beat->add_snapshots(diff_id);
      CacheLedger::Usage held = ledger_->usage();
      beat->set_held_bytes(held.bytes);
      beat->set_max_cache_bytes(held.max_bytes);
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
  return protocol::Connection::Connect(context_, options_.coordinator, options_.connection);
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
  if (running_jobs() >= options_.slots) {
    LOG(WARN) << "worker: job " << job_id << " arrived with all " << options_.slots
              << " slots busy; running it anyway";
  }
  LOG(INFO) << "worker: job " << job_id << ": " << envelope.job().instruction();
  JobThread& job = jobs_.emplace_back();
  job.job_id = job_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ids_.insert(job_id);
  }
  job.thread = std::thread([this, envelope, &job] {
    // Nothing may end the worker from a job: the coordinator re-queues a job
    // that never reports (its heartbeats then stop listing it).
    Status crashed = CatchAtThreadTop("job " + envelope.job().job_id(),
                                      [&] { RunJob(envelope, &job.cancel); });
    if (!crashed.ok()) LOG(ERROR) << "worker: " << crashed.message();
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_ids_.erase(running_ids_.find(envelope.job().job_id()));
    }
    job.done = true;
  });
}

void WorkerAgent::CancelJob(const v1::CancelJob& cancel) {
  for (JobThread& j : jobs_) {
    if (j.job_id != cancel.job_id() || j.done) continue;
    LOG(INFO) << "worker: job " << j.job_id << " cancelled by the coordinator: " << cancel.reason();
    j.cancel = true;
    return;
  }
  LOG(DEBUG) << "worker: CancelJob for " << cancel.job_id() << ", which does not run here";
}

void WorkerAgent::ReapJobs(bool all) {
  if (all) {
    for (JobThread& j : jobs_) j.cancel = true;
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (all || it->done) {
      it->thread.join();
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

void WorkerAgent::RunJob(const protocol::Envelope& envelope, const std::atomic<bool>* cancel) {
  const v1::Job& job = envelope.job();
  Result<std::unique_ptr<protocol::Connection>> connection = AcquireConnection();
  if (!connection.ok()) {
    LOG(ERROR) << "worker: job " << job.job_id()
               << ": no connection: " << connection.status().message();
    return;  // the coordinator re-queues it when our heartbeats stop
  }
  protocol::Envelope reply = protocol::NewEnvelope(envelope.request_id());
  if (draining_) {
    // Sent before the coordinator heard that we drain: it runs elsewhere.
    v1::JobResult* refused = reply.mutable_job_result();
    refused->set_job_id(job.job_id());
    refused->set_worker_id(options_.worker_id);
    *refused->mutable_error() = protocol::ErrorFromStatus(
        Status::Unavailable("worker " + options_.worker_id + " is draining (SIGTERM)")
            .WithRetryable(true));
  } else {
    const auto start = std::chrono::steady_clock::now();
    *reply.mutable_job_result() = runner_.Run(job, envelope.request_id(), **connection, cancel);
    job_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    const v1::JobResult& result = reply.job_result();
    if (!result.has_error() && result.exit_code() == 0) {
      ++jobs_succeeded_;
    } else if (!result.has_error()) {
      ++jobs_run_failed_;
    } else if (static_cast<StatusCode>(result.error().code()) == StatusCode::kCancelled) {
      ++jobs_cancelled_;
    } else {
      ++jobs_errored_;
    }
  }
  Status sent = (*connection)->Send(reply);
  if (!sent.ok()) {
    LOG(ERROR) << "worker: job " << job.job_id() << ": JobResult not sent: " << sent.message();
  }
  ReleaseConnection(std::move(*connection));
}

}  // namespace strata::worker
