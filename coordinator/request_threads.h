#pragma once

// One thread per long client request (a pull, a push, a login check), so
// the I/O thread never waits on a registry. Each body runs under
// CatchAtThreadTop; a crash is answered to its client as Error(R). Finished
// threads are joined at the next Start, the rest by the destructor.
//
// Threads: Start and the destructor on one thread (the I/O thread);
// running() from any.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/outbox.h"

namespace strata::coordinator {

class RequestThreads {
 public:
  // REQUIRES: `outbox` outlives this.
  explicit RequestThreads(Outbox& outbox) : outbox_(outbox) {}
  // Waits for the bodies still running (none can be interrupted).
  ~RequestThreads();

  RequestThreads(const RequestThreads&) = delete;
  RequestThreads& operator=(const RequestThreads&) = delete;

  // Runs `body` on a new thread for request `request_id` of client `peer`;
  // `what` names it in a crash report ("pull busybox").
  void Start(const std::string& what, const std::string& peer, uint64_t request_id,
             std::function<void()> body);

  // Bodies running now: while non-zero the coordinator is not idle.
  int running() const { return running_.load(); }

 private:
  struct Running {
    std::shared_ptr<std::atomic<bool>> finished;
    std::thread thread;
  };
  void ReapFinished();

  Outbox& outbox_;
  std::vector<Running> threads_;  // the starting thread only
  std::atomic<int> running_{0};
};

}  // namespace strata::coordinator
