#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "metrics/histogram.h"
#include "protocol/connection.h"
#include "protocol/context.h"
#include "protocol/worker.pb.h"
#include "sandbox/runtime.h"
#include "snapshot/snapshotter.h"
#include "worker/blob_cache.h"
#include "worker/job_runner.h"

namespace strata::worker {

struct WorkerAgentOptions {
  std::string coordinator;  // the coordinator's worker endpoint (ipc:// or tcp://)
  // How every connection to it is made: the worker token, CurveZMQ keys
  // (docs/tenancy.md).
  protocol::ConnectionOptions connection;
  std::string worker_id;    // unique in the pool
  uint32_t slots = 1;       // jobs run at once
  // Absolute; the agent's scratch: layers/ (new layer blobs) and tmp/
  // (contexts, heredoc scripts). Created if missing.
  std::string work_dir;
  std::string platform = "linux/amd64";
  std::string host;  // where it runs, shown by `strata worker ls` (Register label "host")
  std::string version;
  // Longest wait for one reply (a BlobGet chunk, the Ack of an upload).
  std::chrono::milliseconds reply_timeout{60000};
  // Register is sent again when no Registered came within this.
  std::chrono::milliseconds register_retry{2000};
};

// The worker side of the coordinator's worker endpoint (docs/protocol.md,
// docs/worker-runtime.md "The worker process"):
//  - one Connection registers and receives Jobs (the coordinator's "job
//    peer" for this worker), a second sends a Heartbeat every interval
//    and registers again when the coordinator answers NotFound;
//  - each Job runs on its own thread with its own Connection (BlobGet,
//    BlobPut, JobLog, JobResult; the coordinator keys by job_id): parent
//    and --from layers unpacked from the blob cache, the COPY context
//    materialized, the StepExecutor run, the layer uploaded unless the
//    shared blob directory has it, and one JobResult sent;
//  - a CancelJob from the coordinator stops that job's RUN (its build was
//    cancelled, or it ran past the job timeout);
//  - Drain() (SIGTERM) stops taking jobs: heartbeats say so at once, a Job
//    that still arrives is answered with a retryable error (it runs
//    elsewhere), the running ones finish; when none is left, or at the end
//    of the grace period, the agent stops;
//  - Stop() ends the loop: no new jobs, running RUNs are cancelled and
//    report Cancelled (retryable).
// The snapshotter, runtime, cache, ledger and context are not owned and
// must outlive the agent.
class WorkerAgent {
 public:
  WorkerAgent(protocol::Context& context, snapshot::Snapshotter* snapshotter,
              sandbox::Runtime* runtime, BlobCache* blobs, CacheLedger* ledger,
              WorkerAgentOptions options);
  ~WorkerAgent();
  WorkerAgent(const WorkerAgent&) = delete;
  WorkerAgent& operator=(const WorkerAgent&) = delete;

  // Serves jobs until Stop(); returns after every job thread has ended.
  // Errors: the endpoint cannot be used (bad address), the work dir
  // cannot be created.
  Status Run();

  // Thread-safe; not async-signal-safe (main turns signals into a call).
  void Stop();
  // Thread-safe. A second call changes nothing.
  void Drain(std::chrono::milliseconds grace);
  bool draining() const { return draining_; }

  // Jobs running now (for heartbeats and tests).
  uint32_t running_jobs() const;
  // Registered with the coordinator now (/healthz).
  bool registered() const { return registered_; }
  const WorkerAgentOptions& options() const { return options_; }

  // For /metrics: jobs finished since start, by outcome, and how long
  // they ran here (from their arrival to their result).
  struct Stats {
    uint64_t succeeded = 0, run_failed = 0, errored = 0, cancelled = 0;
    metrics::Histogram::Snapshot job_seconds;
  };
  Stats stats() const {
    return {jobs_succeeded_, jobs_run_failed_, jobs_errored_, jobs_cancelled_,
            job_seconds_.Read()};
  }

 private:
  struct JobThread {
    std::string job_id;
    std::thread thread;
    std::atomic<bool> done{false};
    std::atomic<bool> cancel{false};  // the job's StepRequest.cancel
  };

  void HeartbeatLoop();
  // A job's connection: an idle one of an earlier job, or a new one. Kept
  // open after the job (ZeroMQ drops unsent messages when a socket closes,
  // which could lose the JobResult just sent).
  Result<std::unique_ptr<protocol::Connection>> AcquireConnection();
  void ReleaseConnection(std::unique_ptr<protocol::Connection> connection);
  void StartJob(const protocol::Envelope& envelope);
  // CancelJob: stops the running job it names.
  void CancelJob(const v1::CancelJob& cancel);
  // all: cancels the jobs still running, then waits for them.
  void ReapJobs(bool all);
  // Runs one job with runner_ on a pooled connection and sends its JobResult.
  void RunJob(const protocol::Envelope& envelope, const std::atomic<bool>* cancel);

  protocol::Context& context_;
  WorkerAgentOptions options_;
  CacheLedger* ledger_;
  JobRunner runner_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> draining_{false};
  std::atomic<bool> beat_now_{false};  // send a heartbeat without waiting for the interval
  std::atomic<int64_t> drain_deadline_ns_{0};  // steady clock
  std::atomic<bool> registered_{false};
  std::atomic<uint64_t> jobs_succeeded_{0}, jobs_run_failed_{0}, jobs_errored_{0},
      jobs_cancelled_{0};
  metrics::Histogram job_seconds_;  // thread-safe itself
  std::atomic<bool> need_register_{false};  // a heartbeat was answered NotFound
  std::atomic<uint32_t> heartbeat_ms_{1000};

  std::list<JobThread> jobs_;  // only the Run thread touches it

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<protocol::Connection>> idle_;  // GUARDED_BY(mu_)
  // The job ids running now (the heartbeat lists them). GUARDED_BY(mu_)
  std::multiset<std::string> running_ids_;
};

}  // namespace strata::worker
