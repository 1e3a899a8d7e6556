#pragma once

// The workers registered with this coordinator and the one queue of ready
// jobs that all builds share (DESIGN.md "Scheduling", docs/protocol.md
// "Builds and workers").
//
//  - A job goes to a worker holding its parent snapshot when one has a free
//    slot (locality), else to the least loaded one; never more than `slots`
//    jobs are out on a worker, none to a worker whose heartbeat says it
//    drains.
//  - A worker silent for dead_after_ms, or one that registers again (it
//    restarted), is lost: its running jobs go back to the front of the queue
//    (at most kMaxAttempts runs per job).
//  - A JobResult whose error is retryable (the worker's own failure) is run
//    again elsewhere, within the same limit.
//  - Crashes (docs/protocol.md "Lost workers"): a job that was running on a
//    lost worker is a suspect. It runs again alone on an idle worker, which
//    takes no other job meanwhile, so that a second loss can only be its
//    own doing; a job whose worker is lost kMaxCrashes times fails ("step
//    crashed the worker 2 times; not retried") instead of killing workers
//    until the attempts run out.
//  - A job the worker's heartbeats leave out twice in a row (it lost it:
//    no connection for it, its result never left) runs again elsewhere,
//    as a retry ("lost by its worker"); workers that send no job ids (as
//    many as their running count) are not judged so.
//  - Each run of a job is an attempt with its own id, `<job_id>-<attempt>`
//    (what the worker sees as job_id), and counts only from the worker it
//    was sent to (the worker_id in its JobLog and JobResult: a worker
//    answers on per-job connections, not on its job peer). The attempt
//    running now is heard in full; an earlier one (its worker was declared
//    lost, yet it finished) only with a result that is not an error, which
//    then completes the job. Anything else (an unknown id, one from before
//    a coordinator restart, another worker) is dropped, never taken for
//    another job.
//  - Each retry is announced to the job's RetryFn (the build's progress
//    shows "retrying on another worker (attempt 2/3): worker lost").
//  - Cancel (the build's scope was cancelled) takes a job off the queue,
//    or tells the worker running it to stop (CancelJob), and fails it with
//    the reason; what that worker sends afterwards is dropped. A job
//    running longer than job_timeout_ms is stopped so too (TimedOut).
//  - Fair share: the next job dispatched is the first queued one of the
//    build served least recently (round-robin between builds); within a
//    build, queue order (a retry first).
//
// Thread-safe. The worker side (Register, Heartbeat, OnJobLog, OnJobResult,
// Tick) is called by the coordinator's I/O thread, Submit/Wait by build
// threads. Time comes from the Clock; nothing here sleeps or opens a socket.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "coordinator/build_scope.h"
#include "metrics/histogram.h"
#include "common/result.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

// Hands a Job to a worker's job peer. Implementations must be thread-safe and
// must not call back into the pool (it calls them with its lock held).
class JobSender {
 public:
  virtual ~JobSender() = default;
  virtual Status SendJob(const std::string& peer, const v1::Job& job) = 0;
  // Tells the worker behind `peer` to stop attempt `job_id` (best effort:
  // a worker that never hears it is dropped by its silence or reports a
  // result nobody waits for).
  virtual void SendCancel(const std::string& peer, const std::string& job_id,
                          const std::string& reason) = 0;
};

// A job sent to a worker again: its worker was lost, or failed it with a
// retryable error.
struct JobRetry {
  int attempt = 0;  // the run about to start, 2..max_attempts
  int max_attempts = 0;
  std::string reason;  // "worker lost", or the worker's error message
};

// Runs jobs on workers; what ProtocolStepRunner needs of the pool (a fake in
// tests).
class JobRunner {
 public:
  using LogFn = std::function<void(const v1::JobLog&)>;
  using RetryFn = std::function<void(const JobRetry&)>;
  virtual ~JobRunner() = default;
  // Runs `job` (job_id set, unique) on some worker and waits for its result.
  // `on_log` (may be empty) gets the job's output lines, from another thread;
  // `on_retry` (may be empty) hears of each new run after the first, before
  // that run's output.
  // The result may carry a RUN failure or an error; the Status fails only
  // when the job could not be run at all (no worker, too many worker deaths,
  // a step that crashed its workers, shutdown, the job timeout) or was
  // stopped: when `scope` (may be null) is cancelled while the job waits
  // or runs, the job is cancelled and RunJob returns the scope's reason.
  virtual Result<v1::JobResult> RunJob(v1::Job job, LogFn on_log, RetryFn on_retry = nullptr,
                                       BuildScope* scope = nullptr) = 0;
};

struct WorkerPoolOptions {
  uint32_t heartbeat_interval_ms = 1000;
  uint32_t dead_after_ms = 5000;
  // A job queued this long while no worker at all is registered fails
  // Unavailable; 0 waits forever.
  int64_t no_worker_timeout_ms = 60000;
  // A job running longer than this on its worker is stopped and fails
  // TimedOut (not retried); 0: no limit.
  int64_t job_timeout_ms = 0;
};

class WorkerPool : public JobRunner {
 public:
  static constexpr int kMaxAttempts = 3;
  // Losses of the worker running a job after which the job is blamed.
  static constexpr int kMaxCrashes = 2;

  // REQUIRES: clock and sender outlive the pool.
  WorkerPool(Clock& clock, JobSender& sender, WorkerPoolOptions options = {})
      : clock_(clock), sender_(sender), options_(options) {}
  ~WorkerPool() override { Shutdown(); }

  // --- worker side ---
  // Registers (or re-registers) a worker whose job peer is `peer`. Jobs the
  // worker had before (it restarted) are queued again. Sends nothing: the
  // worker gets jobs from the next Tick, after its Registered reply.
  v1::Registered Register(const std::string& peer, const v1::Register& request) EXCLUDES(mu_);
  // NotFound for a worker_id not registered (the worker registers again).
  Status Heartbeat(const v1::Heartbeat& heartbeat) EXCLUDES(mu_);
  // Taken only from the worker (worker_id) the attempt was sent to; see above.
  void OnJobLog(const v1::JobLog& log) EXCLUDES(mu_);
  void OnJobResult(const v1::JobResult& result) EXCLUDES(mu_);
  // Declares silent workers dead, fails jobs that found no worker in time,
  // dispatches. Call it about every heartbeat interval.
  void Tick() EXCLUDES(mu_);

  // --- build side ---
  class Ticket;
  // Queues `job` (job_id must be unique) and dispatches it when a slot is free.
  std::shared_ptr<Ticket> Submit(v1::Job job, LogFn on_log, RetryFn on_retry = nullptr)
      EXCLUDES(mu_);
  // Blocks until the job's result (see JobRunner::RunJob).
  Result<v1::JobResult> Wait(const std::shared_ptr<Ticket>& ticket) EXCLUDES(mu_);
  Result<v1::JobResult> RunJob(v1::Job job, LogFn on_log, RetryFn on_retry = nullptr,
                               BuildScope* scope = nullptr) EXCLUDES(mu_) override;
  // Stops the job submitted as `job_id` (see above); nothing when it is
  // not queued or running.
  void Cancel(const std::string& job_id, const Status& why) EXCLUDES(mu_);
  // Fails every waiting job with Cancelled; later Submits fail at once.
  void Shutdown() EXCLUDES(mu_);

  // --- introspection ---
  struct WorkerInfo {
    std::string id;
    std::string peer;
    uint32_t slots = 0;
    std::vector<std::string> running;  // attempt ids
    size_t snapshots = 0;              // the snapshots its last heartbeat listed
    int64_t silent_nanos = 0;          // since its last heartbeat (or registration)
    bool draining = false;             // it takes no new job
    std::string host;                  // where it runs (its Register's "host" label)
    bool lost = false;                 // dropped (silent, or restarted) in the last 10 minutes
    uint64_t held_bytes = 0;           // what it keeps for later jobs (its last heartbeat)
    uint64_t max_cache_bytes = 0;      // its --max-cache, 0: none
  };
  std::vector<WorkerInfo> Workers() const EXCLUDES(mu_);
  // Jobs queued or running: while non-zero the coordinator is not idle.
  size_t outstanding_jobs() const EXCLUDES(mu_);
  // Jobs waiting for a slot.
  size_t queued_jobs() const EXCLUDES(mu_);
  // For /metrics: how long jobs ran on their worker (sent to result), how
  // long they waited in the queue before each dispatch, and counts.
  struct Stats {
    metrics::Histogram::Snapshot job_seconds, dispatch_seconds;
    uint64_t retried = 0, cancelled = 0, timed_out = 0, workers_lost = 0;
  };
  Stats stats() const EXCLUDES(mu_);

 private:
  struct Worker {
    std::string id;
    std::string peer;
    uint32_t slots = 1;
    int64_t last_seen = 0;
    std::set<std::string> snapshots;
    std::set<std::string> running;  // attempt ids
    bool draining = false;          // its last heartbeat said so: no new job
    std::string host;
    uint64_t held_bytes = 0, max_cache_bytes = 0;
    // Attempts in `running` the last heartbeats left out, and how many times.
    std::map<std::string, int> unreported;
  };

  v1::Registered RegisterLocked(const std::string& peer, const v1::Register& request) REQUIRES(mu_);
  Status HeartbeatLocked(const v1::Heartbeat& heartbeat) REQUIRES(mu_);
  void OnJobResultLocked(const v1::JobResult& result) REQUIRES(mu_);
  // The ticket `attempt_id` is an attempt of, when that attempt was sent to
  // `worker_id`; null otherwise (logged). `current`: it is the attempt
  // running now.
  std::shared_ptr<Ticket> AttemptFromLocked(const std::string& worker_id,
                                            const std::string& attempt_id, const char* what,
                                            bool* current) REQUIRES(mu_);
  void TickLocked() REQUIRES(mu_);
  void DispatchLocked() REQUIRES(mu_);
  // The queued ticket to dispatch next (fair share), or queue_.end().
  std::deque<std::shared_ptr<Ticket>>::iterator NextQueuedLocked() REQUIRES(mu_);
  // Cancel of `ticket` unless it has its result already.
  void CancelLocked(const std::shared_ptr<Ticket>& ticket, const Status& why) REQUIRES(mu_);
  // Stops the attempt running now on its worker, if any.
  void StopRunningLocked(Ticket& ticket, const std::string& reason) REQUIRES(mu_);
  Worker* PickWorkerLocked(const Ticket& ticket) REQUIRES(mu_);
  // Whether `w` runs a suspect (a job whose worker was lost before).
  bool RunsSuspectLocked(const Worker& w) const REQUIRES(mu_);
  // Removes the worker and requeues its jobs.
  void DropWorkerLocked(const std::string& id, const std::string& why) REQUIRES(mu_);
  // `why` goes to the log and the final error, `shown` to the RetryFn.
  void RequeueLocked(const std::shared_ptr<Ticket>& ticket, const std::string& why,
                     const std::string& shown) REQUIRES(mu_);
  void FinishLocked(const std::shared_ptr<Ticket>& ticket, Result<v1::JobResult> result)
      REQUIRES(mu_);
  // Calls the RetryFns queued under the lock; called with mu_ released so
  // that they may block or call anything but the pool's *Locked methods.
  void Announce() EXCLUDES(mu_);

  Clock& clock_;
  JobSender& sender_;
  const WorkerPoolOptions options_;
  // Guards the pool and every Ticket's fields once submitted (the analysis
  // sees the members below; Ticket fields are reached through pointers).
  mutable Mutex mu_;
  CondVar done_;  // a ticket got its result
  bool shut_down_ GUARDED_BY(mu_) = false;
  std::map<std::string, Worker> workers_ GUARDED_BY(mu_);
  // Workers dropped in the last 10 minutes and not back, for Workers().
  struct Lost {
    std::string host;
    uint32_t slots = 0;
    int64_t since = 0;  // its last heartbeat (monotonic)
  };
  std::map<std::string, Lost> lost_ GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Ticket>> queue_ GUARDED_BY(mu_);
  // Queued or running, by the job_id given to Submit.
  std::map<std::string, std::shared_ptr<Ticket>> jobs_ GUARDED_BY(mu_);
  // Every attempt of the jobs in jobs_, by attempt id (the job_id the
  // worker was sent).
  std::map<std::string, std::shared_ptr<Ticket>> attempts_ GUARDED_BY(mu_);
  int64_t no_worker_since_ GUARDED_BY(mu_) = 0;
  // Builds with jobs in jobs_: how many, and when one of them was last
  // dispatched (a sequence number), for the round-robin.
  struct Share {
    int jobs = 0;
    uint64_t last_served = 0;
  };
  std::map<std::string, Share> shares_ GUARDED_BY(mu_);
  uint64_t dispatches_ GUARDED_BY(mu_) = 0;
  metrics::Histogram job_seconds_, dispatch_seconds_;  // thread-safe themselves
  uint64_t retried_ GUARDED_BY(mu_) = 0;
  uint64_t cancelled_ GUARDED_BY(mu_) = 0;
  uint64_t timed_out_ GUARDED_BY(mu_) = 0;
  uint64_t workers_lost_ GUARDED_BY(mu_) = 0;
  std::vector<std::function<void()>> announcements_ GUARDED_BY(mu_);
};

}  // namespace strata::coordinator
