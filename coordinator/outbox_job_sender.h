#pragma once

// The WorkerPool's JobSender over the Outbox: each Job goes to its worker's
// peer on the worker endpoint with a request id of its own. Thread-safe.

#include <atomic>
#include <cstdint>
#include <string>

#include "coordinator/outbox.h"
#include "coordinator/worker_pool.h"

namespace strata::coordinator {

class OutboxJobSender : public JobSender {
 public:
  // REQUIRES: outbox outlives the sender.
  explicit OutboxJobSender(Outbox& outbox) : outbox_(outbox) {}
  Status SendJob(const std::string& peer, const v1::Job& job) override;
  void SendCancel(const std::string& peer, const std::string& job_id,
                  const std::string& reason) override;

 private:
  Outbox& outbox_;
  // Far from the ids a worker numbers its own requests with (1, 2, ...).
  std::atomic<uint64_t> next_request_{uint64_t{1} << 40};
};

}  // namespace strata::coordinator
