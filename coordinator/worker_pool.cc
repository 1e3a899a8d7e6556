#include "coordinator/worker_pool.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/logging.h"
#include "image/digest.h"

namespace strata::coordinator {
namespace {

constexpr int64_t kNanosPerMilli = 1'000'000;

// The names a worker may use for the snapshot a job starts from: the top
// layer's diff_id and the OCI ChainID of the whole parent chain, each with
// and without the "sha256:" prefix.
std::set<std::string> ParentSnapshotNames(const v1::Job& job) {
  std::set<std::string> names;
  if (job.parent_chain().empty()) return names;
  std::string chain;
  for (const std::string& diff_id : job.parent_chain()) {
    chain = chain.empty() ? diff_id : Digest::Sha256Of(chain + " " + diff_id).ToString();
  }
  for (const std::string& text : {*job.parent_chain().rbegin(), chain}) {
    names.insert(text);
    if (text.rfind("sha256:", 0) == 0) names.insert(text.substr(7));
  }
  return names;
}

}  // namespace

class WorkerPool::Ticket {
 public:
  std::string id;  // the job_id given to Submit
  v1::Job job;     // its job_id: the current (or last) attempt's id
  std::map<std::string, std::string> sent_to;  // attempt id -> the worker it went to
  std::set<std::string> failed_on;  // workers that answered it with a (retryable) error
  LogFn on_log;
  RetryFn on_retry;
  std::set<std::string> parent_snapshots;
  std::string worker;  // the worker running it; "" while queued
  int attempts = 0;
  int crashes = 0;  // times the worker running it was lost
  int64_t queued_at = 0;
  int64_t started_at = 0;  // when the current attempt was sent
  std::optional<Result<v1::JobResult>> result;
};

v1::Registered WorkerPool::Register(const std::string& peer, const v1::Register& request) {
  v1::Registered reply;
  {
    MutexLock lock(mu_);
    reply = RegisterLocked(peer, request);
  }
  Announce();
  return reply;
}

v1::Registered WorkerPool::RegisterLocked(const std::string& peer, const v1::Register& request) {
  if (workers_.contains(request.worker_id())) {
    DropWorkerLocked(request.worker_id(), "it registered again (restarted?)");
  }
  lost_.erase(request.worker_id());
  Worker& w = workers_[request.worker_id()];
  w.id = request.worker_id();
  w.peer = peer;
  w.slots = std::max<uint32_t>(1, request.slots());
  auto host = request.labels().find("host");
  w.host = host == request.labels().end() ? "" : host->second;
  w.last_seen = clock_.NowMonotonicNanos();
  LOG(INFO) << "worker " << w.id << " registered (" << w.slots << " slots, " << request.platform()
            << ", version " << request.version() << ")";
  // No dispatch here: the Registered reply must reach the worker before its
  // first Job; the next Tick hands it work.
  v1::Registered reply;
  reply.set_heartbeat_interval_ms(options_.heartbeat_interval_ms);
  reply.set_dead_after_ms(options_.dead_after_ms);
  return reply;
}

Status WorkerPool::Heartbeat(const v1::Heartbeat& heartbeat) {
  Status s;
  {
    MutexLock lock(mu_);
    s = HeartbeatLocked(heartbeat);
  }
  Announce();  // the retries of jobs it lost
  return s;
}

Status WorkerPool::HeartbeatLocked(const v1::Heartbeat& heartbeat) {
  auto it = workers_.find(heartbeat.worker_id());
  if (it == workers_.end()) {
    return Status::NotFound("worker " + heartbeat.worker_id() +
                            " is not registered with this coordinator (declared dead, or the "
                            "coordinator restarted); register again");
  }
  Worker& w = it->second;
  w.last_seen = clock_.NowMonotonicNanos();
  w.snapshots = {heartbeat.snapshots().begin(), heartbeat.snapshots().end()};
  w.held_bytes = heartbeat.held_bytes();
  w.max_cache_bytes = heartbeat.max_cache_bytes();
  if (heartbeat.draining() && !w.draining) {
    LOG(INFO) << "worker " << w.id << " drains: no new jobs go to it";
  }
  w.draining = heartbeat.draining();
  if (static_cast<int>(heartbeat.running_jobs()) != heartbeat.running_job_ids_size()) {
    return Status::OK();  // a worker that does not list its jobs
  }
  std::set<std::string> listed(heartbeat.running_job_ids().begin(),
                               heartbeat.running_job_ids().end());
  std::vector<std::string> lost;
  std::map<std::string, int> unreported;
  for (const std::string& attempt : w.running) {
    if (listed.contains(attempt)) continue;
    // Twice: the first heartbeat may have left before the Job arrived.
    int misses = w.unreported[attempt] + 1;
    if (misses >= 2) {
      lost.push_back(attempt);
    } else {
      unreported[attempt] = misses;
    }
  }
  w.unreported = std::move(unreported);
  for (const std::string& attempt : lost) {
    auto t = attempts_.find(attempt);
    if (t == attempts_.end()) continue;
    std::shared_ptr<Ticket> ticket = t->second;
    w.running.erase(attempt);
    if (ticket->worker != w.id || ticket->job.job_id() != attempt) continue;
    RequeueLocked(ticket, "worker " + w.id + " no longer runs it (two heartbeats left it out)",
                  "lost by its worker");
  }
  if (!lost.empty()) DispatchLocked();
  return Status::OK();
}

void WorkerPool::OnJobLog(const v1::JobLog& log) {
  LogFn on_log;
  {
    MutexLock lock(mu_);
    bool current = false;
    std::shared_ptr<Ticket> ticket =
        AttemptFromLocked(log.worker_id(), log.job_id(), "log line", &current);
    if (ticket == nullptr || !current) return;  // an old run's output would interleave
    on_log = ticket->on_log;
  }
  if (on_log) on_log(log);
}

std::shared_ptr<WorkerPool::Ticket> WorkerPool::AttemptFromLocked(const std::string& worker_id,
                                                                  const std::string& attempt_id,
                                                                  const char* what,
                                                                  bool* current) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) {
    LOG(INFO) << what << " of job " << attempt_id
               << " ignored: no such job is waited for (finished, or from before a coordinator "
                  "restart)";
    return nullptr;
  }
  std::shared_ptr<Ticket> ticket = it->second;
  auto sent = ticket->sent_to.find(attempt_id);
  if (sent == ticket->sent_to.end() || sent->second != worker_id) {
    std::string sent_worker = sent == ticket->sent_to.end() ? "?" : sent->second;
    LOG(WARN) << what << " of job " << attempt_id << " ignored: it came from worker '" << worker_id
              << "', not from worker " << sent_worker << ", which that attempt was sent to";
    return nullptr;
  }
  *current = !ticket->worker.empty() && ticket->job.job_id() == attempt_id;
  return ticket;
}

void WorkerPool::OnJobResult(const v1::JobResult& result) {
  {
    MutexLock lock(mu_);
    OnJobResultLocked(result);
  }
  Announce();
}

void WorkerPool::OnJobResultLocked(const v1::JobResult& result) {
  bool current = false;
  std::shared_ptr<Ticket> ticket =
      AttemptFromLocked(result.worker_id(), result.job_id(), "result", &current);
  if (ticket == nullptr) return;
  if (!current) {
    // An earlier run whose worker was declared lost finished after all:
    // its outcome is the job's (same job, same inputs); its errors are not
    // (a retry already answered them).
    if (result.has_error()) {
      LOG(DEBUG) << "error of job " << result.job_id() << " ignored: a later attempt replaced it";
      return;
    }
    LOG(INFO) << "job " << result.job_id() << " finished after its worker was declared lost";
    FinishLocked(ticket, result);
    DispatchLocked();
    return;
  }
  auto w = workers_.find(ticket->worker);
  if (w != workers_.end()) {
    w->second.last_seen = clock_.NowMonotonicNanos();
    w->second.running.erase(result.job_id());
    if (!result.has_error() && result.exit_code() == 0 && !result.diff_id().empty()) {
      // The worker now holds the job's output as a snapshot too.
      w->second.snapshots.insert(result.diff_id());
    }
  }
  if (result.has_error() && result.error().retryable() && ticket->attempts < kMaxAttempts) {
    ticket->failed_on.insert(ticket->worker);  // the retry runs elsewhere when it can
    RequeueLocked(ticket, "worker " + ticket->worker + " failed it: " + result.error().message(),
                  result.error().message());
  } else {
    FinishLocked(ticket, result);
  }
  DispatchLocked();
}

void WorkerPool::Tick() {
  {
    MutexLock lock(mu_);
    TickLocked();
  }
  Announce();
}

void WorkerPool::TickLocked() {
  const int64_t now = clock_.NowMonotonicNanos();
  std::vector<std::string> dead;
  for (const auto& [id, w] : workers_) {
    if (now - w.last_seen >= options_.dead_after_ms * kNanosPerMilli) dead.push_back(id);
  }
  for (const std::string& id : dead) {
    DropWorkerLocked(id, "no heartbeat for " + std::to_string(options_.dead_after_ms) + " ms");
  }
  constexpr int64_t kShownLost = 600LL * 1'000'000'000;
  std::erase_if(lost_, [&](const auto& kv) { return now - kv.second.since >= kShownLost; });
  if (options_.job_timeout_ms > 0) {
    std::vector<std::shared_ptr<Ticket>> overdue;
    for (const auto& [id, ticket] : jobs_) {
      if (!ticket->worker.empty() &&
          now - ticket->started_at >= options_.job_timeout_ms * kNanosPerMilli) {
        overdue.push_back(ticket);
      }
    }
    for (const std::shared_ptr<Ticket>& ticket : overdue) {
      const std::string why = "the step ran longer than the job timeout of " +
                              std::to_string(options_.job_timeout_ms / 1000) +
                              " s (strata-coordinator --job-timeout)";
      StopRunningLocked(*ticket, why);
      ++timed_out_;
      FinishLocked(ticket, Status::TimedOut(why));
    }
  }
  if (workers_.empty() && !queue_.empty()) {
    if (no_worker_since_ == 0) no_worker_since_ = now;
    if (options_.no_worker_timeout_ms > 0 &&
        now - no_worker_since_ >= options_.no_worker_timeout_ms * kNanosPerMilli) {
      while (!queue_.empty()) {
        std::shared_ptr<Ticket> ticket = queue_.front();
        queue_.pop_front();
        FinishLocked(ticket,
                     Status::Unavailable("no worker registered with the coordinator for " +
                                         std::to_string(options_.no_worker_timeout_ms / 1000) +
                                         " s; start one with `strata-worker --coordinator "
                                         "<worker endpoint>`"));
      }
      no_worker_since_ = 0;
    }
  } else {
    no_worker_since_ = 0;
  }
  DispatchLocked();
}

std::shared_ptr<WorkerPool::Ticket> WorkerPool::Submit(v1::Job job, LogFn on_log,
                                                       RetryFn on_retry) {
  auto ticket = std::make_shared<Ticket>();
  ticket->id = job.job_id();
  ticket->parent_snapshots = ParentSnapshotNames(job);
  ticket->job = std::move(job);
  ticket->on_log = std::move(on_log);
  ticket->on_retry = std::move(on_retry);
  {
    MutexLock lock(mu_);
    ticket->queued_at = clock_.NowMonotonicNanos();
    if (shut_down_) {
      ticket->result = Status::Cancelled("the coordinator is shutting down");
      return ticket;
    }
    if (jobs_.contains(ticket->id)) {
      ticket->result = Status::Internal("job id " + ticket->id + " is already in use");
      return ticket;
    }
    jobs_[ticket->id] = ticket;
    ++shares_[ticket->job.build_id()].jobs;
    queue_.push_back(ticket);
    DispatchLocked();
  }
  Announce();
  return ticket;
}

Result<v1::JobResult> WorkerPool::RunJob(v1::Job job, LogFn on_log, RetryFn on_retry,
                                         BuildScope* scope) {
  std::shared_ptr<Ticket> ticket = Submit(std::move(job), std::move(on_log), std::move(on_retry));
  std::unique_ptr<BuildScope::Hook> hook;
  if (scope != nullptr) {
    // After Submit, so that a cancel finds the job; a cancel before it
    // calls the hook at once.
    hook = scope->OnCancel([this, ticket](const Status& why) {
      MutexLock lock(mu_);
      CancelLocked(ticket, why);
    });
  }
  return Wait(ticket);
}

void WorkerPool::Cancel(const std::string& job_id, const Status& why) {
  MutexLock lock(mu_);
  auto it = jobs_.find(job_id);
  if (it != jobs_.end()) CancelLocked(it->second, why);
}

void WorkerPool::CancelLocked(const std::shared_ptr<Ticket>& ticket, const Status& why) {
  if (ticket->result.has_value()) return;  // finished (or refused at Submit) already
  LOG(INFO) << "job " << ticket->job.job_id() << " (" << ticket->job.instruction()
            << ") cancelled: " << why.message();
  StopRunningLocked(*ticket, why.message());
  ++cancelled_;
  FinishLocked(ticket, why);
  DispatchLocked();  // its slot is free
}

void WorkerPool::StopRunningLocked(Ticket& ticket, const std::string& reason) {
  auto w = workers_.find(ticket.worker);
  if (w == workers_.end()) return;
  sender_.SendCancel(w->second.peer, ticket.job.job_id(), reason);
}

Result<v1::JobResult> WorkerPool::Wait(const std::shared_ptr<Ticket>& ticket) {
  MutexLock lock(mu_);
  while (!ticket->result.has_value()) done_.Wait(mu_);
  return *ticket->result;
}

void WorkerPool::Shutdown() {
  MutexLock lock(mu_);
  shut_down_ = true;
  std::vector<std::shared_ptr<Ticket>> all;
  for (const auto& [id, ticket] : jobs_) all.push_back(ticket);
  for (const auto& ticket : all) {
    FinishLocked(ticket, Status::Cancelled("the coordinator is shutting down"));
  }
  queue_.clear();
}

std::vector<WorkerPool::WorkerInfo> WorkerPool::Workers() const {
  MutexLock lock(mu_);
  const int64_t now = clock_.NowMonotonicNanos();
  std::vector<WorkerInfo> out;
  for (const auto& [id, w] : workers_) {
    WorkerInfo info{w.id, w.peer, w.slots, {w.running.begin(), w.running.end()},
                    w.snapshots.size(), now - w.last_seen, w.draining, w.host};
    info.held_bytes = w.held_bytes;
    info.max_cache_bytes = w.max_cache_bytes;
    out.push_back(std::move(info));
  }
  for (const auto& [id, l] : lost_) {
    WorkerInfo info;
    info.id = id;
    info.slots = l.slots;
    info.host = l.host;
    info.silent_nanos = now - l.since;
    info.lost = true;
    out.push_back(std::move(info));
  }
  return out;
}

size_t WorkerPool::outstanding_jobs() const {
  MutexLock lock(mu_);
  return jobs_.size();
}

size_t WorkerPool::queued_jobs() const {
  MutexLock lock(mu_);
  return queue_.size();
}

WorkerPool::Stats WorkerPool::stats() const {
  Stats out;
  out.job_seconds = job_seconds_.Read();
  out.dispatch_seconds = dispatch_seconds_.Read();
  MutexLock lock(mu_);
  out.retried = retried_;
  out.cancelled = cancelled_;
  out.timed_out = timed_out_;
  out.workers_lost = workers_lost_;
  return out;
}

std::deque<std::shared_ptr<WorkerPool::Ticket>>::iterator WorkerPool::NextQueuedLocked() {
  auto next = queue_.end();
  uint64_t next_served = 0;
  std::set<std::string> seen;
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    const std::string& build = (*it)->job.build_id();
    if (!seen.insert(build).second) continue;  // not that build's first queued job
    uint64_t served = shares_[build].last_served;
    if (next == queue_.end() || served < next_served) {
      next = it;
      next_served = served;
    }
  }
  return next;
}

void WorkerPool::DispatchLocked() {
  while (!queue_.empty()) {
    auto next = NextQueuedLocked();
    std::shared_ptr<Ticket> ticket = *next;
    Worker* w = PickWorkerLocked(*ticket);
    if (w == nullptr) return;  // every worker is full: the queue waits
    queue_.erase(next);
    ++ticket->attempts;
    ticket->job.set_job_id(ticket->id + "-" + std::to_string(ticket->attempts));
    Status sent = sender_.SendJob(w->peer, ticket->job);
    if (!sent.ok()) {
      // The worker's job peer is gone: the worker is as good as dead.
      queue_.push_front(ticket);
      --ticket->attempts;
      DropWorkerLocked(w->id, "cannot send it a job: " + sent.message());
      continue;
    }
    shares_[ticket->job.build_id()].last_served = ++dispatches_;
    ticket->started_at = clock_.NowMonotonicNanos();
    dispatch_seconds_.Observe(static_cast<double>(ticket->started_at - ticket->queued_at) / 1e9);
    ticket->worker = w->id;
    w->running.insert(ticket->job.job_id());
    attempts_[ticket->job.job_id()] = ticket;
    ticket->sent_to[ticket->job.job_id()] = w->id;
    LOG(DEBUG) << "job " << ticket->job.job_id() << " (" << ticket->job.instruction()
               << ") to worker " << w->id;
  }
}

bool WorkerPool::RunsSuspectLocked(const Worker& w) const {
  for (const std::string& attempt_id : w.running) {
    auto t = attempts_.find(attempt_id);
    if (t != attempts_.end() && t->second->crashes > 0) return true;
  }
  return false;
}

WorkerPool::Worker* WorkerPool::PickWorkerLocked(const Ticket& ticket) {
  // A worker that failed this job gets it again only when no other could
  // take it (now or later): its disk may be full, its runtime broken.
  const bool elsewhere =
      !ticket.failed_on.empty() &&
      std::any_of(workers_.begin(), workers_.end(), [&](const auto& kv) {
        return !kv.second.draining && !ticket.failed_on.contains(kv.first);
      });
  Worker* best = nullptr;
  bool best_local = false;
  for (auto& entry : workers_) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    Worker& w = entry.second;
    if (w.running.size() >= w.slots || w.draining) continue;
    if (elsewhere && ticket.failed_on.contains(w.id)) continue;
    // A suspect runs alone, so that a second loss is its own.
    if (ticket.crashes > 0 && !w.running.empty()) continue;
    if (RunsSuspectLocked(w)) continue;
    bool local = std::any_of(ticket.parent_snapshots.begin(), ticket.parent_snapshots.end(),
                             [&](const std::string& s) { return w.snapshots.contains(s); });
    auto load = [](const Worker& x) { return static_cast<double>(x.running.size()) / x.slots; };
    if (best == nullptr || (local && !best_local) ||
        (local == best_local && load(w) < load(*best))) {
      best = &w;
      best_local = local;
    }
  }
  return best;
}

void WorkerPool::DropWorkerLocked(const std::string& id, const std::string& why) {
  auto it = workers_.find(id);
  if (it == workers_.end()) return;
  LOG(WARN) << "worker " << id << " dropped: " << why << "; " << it->second.running.size()
            << " running job(s) queued again";
  std::set<std::string> running = std::move(it->second.running);
  ++workers_lost_;
  lost_[id] = {it->second.host, it->second.slots, it->second.last_seen};
  workers_.erase(it);
  // Requeued in reverse so that they keep their order at the front.
  for (auto job = running.rbegin(); job != running.rend(); ++job) {
    auto t = attempts_.find(*job);
    if (t == attempts_.end()) continue;
    std::shared_ptr<Ticket> ticket = t->second;
    if (ticket->worker != id) continue;  // an old attempt: the job runs elsewhere now
    const std::string lost = "worker " + id + " was lost: " + why;
    if (++ticket->crashes >= kMaxCrashes) {
      // The second loss came while it ran alone: a step that kills every
      // worker it runs on would otherwise use up the attempts, and workers.
      ticket->worker.clear();
      FinishLocked(
          ticket,
          Status::Internal("step crashed the worker " + std::to_string(ticket->crashes) +
                           " times; not retried: " + lost + "; the worker's log says how it died"));
      continue;
    }
    RequeueLocked(ticket, lost, "worker lost");
  }
}

void WorkerPool::RequeueLocked(const std::shared_ptr<Ticket>& ticket, const std::string& why,
                               const std::string& shown) {
  ticket->worker.clear();
  if (ticket->attempts >= kMaxAttempts) {
    FinishLocked(ticket,
                 Status::Unavailable("job " + ticket->id + " (" +
                                     ticket->job.instruction() + ") failed on " +
                                     std::to_string(ticket->attempts) + " workers; last: " + why));
    return;
  }
  LOG(WARN) << "job " << ticket->job.job_id() << " (" << ticket->job.instruction() << "): " << why
            << "; attempt " << ticket->attempts + 1 << "/" << kMaxAttempts;
  ++retried_;
  ticket->queued_at = clock_.NowMonotonicNanos();
  if (ticket->on_retry) {
    JobRetry retry{ticket->attempts + 1, kMaxAttempts, shown};
    announcements_.push_back([fn = ticket->on_retry, retry] { fn(retry); });
  }
  queue_.push_front(ticket);
}

void WorkerPool::Announce() {
  std::vector<std::function<void()>> due;
  {
    MutexLock lock(mu_);
    due.swap(announcements_);
  }
  for (const auto& fn : due) fn();
}

void WorkerPool::FinishLocked(const std::shared_ptr<Ticket>& ticket, Result<v1::JobResult> result) {
  auto w = workers_.find(ticket->worker);
  // Only the current attempt can be on a worker's running set: an earlier
  // one's worker was dropped with its set.
  if (w != workers_.end()) w->second.running.erase(ticket->job.job_id());
  if (!ticket->worker.empty() && result.ok()) {  // a worker's answer ends it
    job_seconds_.Observe(static_cast<double>(clock_.NowMonotonicNanos() - ticket->started_at) / 1e9);
  }
  for (const auto& [attempt, peer] : ticket->sent_to) attempts_.erase(attempt);
  ticket->worker.clear();
  std::erase(queue_, ticket);
  if (jobs_.erase(ticket->id) > 0) {
    auto share = shares_.find(ticket->job.build_id());
    if (share != shares_.end() && --share->second.jobs <= 0) shares_.erase(share);
  }
  ticket->result = std::move(result);
  done_.NotifyAll();
}

}  // namespace strata::coordinator
