#pragma once

// What `strata worker ls` and `strata system info` show (docs/protocol.md
// "Requests and their replies"): ListWorkers -> WorkerList from the pool,
// SystemInfo -> SystemInfoResult from the store, the pool and the builds,
// DiskUsage -> DiskUsageResult from the store's records and the pool.
// Answered on the I/O thread: each is a walk of in-memory state, plus the
// store's image, cache and blob lists for SystemInfo.

#include <string>

#include "cache/store.h"
#include "coordinator/build_service.h"
#include "coordinator/client_service.h"
#include "coordinator/outbox.h"
#include "coordinator/worker_pool.h"

namespace strata::coordinator {

struct ClusterEndpoints {
  std::string clients;  // as bound, e.g. tcp://0.0.0.0:7700
  std::string workers;
  std::string root;     // the coordinator's state directory
};

class ClusterInfoService : public ClientService {
 public:
  // REQUIRES: all outlive the service.
  ClusterInfoService(cache::Store& store, WorkerPool& pool, BuildService& builds, Outbox& outbox,
                     ClusterEndpoints endpoints)
      : store_(store),
        pool_(pool),
        builds_(builds),
        outbox_(outbox),
        endpoints_(std::move(endpoints)) {}

  bool Handles(const protocol::Envelope& envelope) const override;
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope) override;
  bool busy() const override { return false; }

  // The replies (pure but for reading the store and the pool).
  v1::WorkerList ListWorkers() const;
  Result<v1::SystemInfoResult> SystemInfo() const;
  Result<v1::DiskUsageResult> DiskUsage() const;

 private:
  cache::Store& store_;
  WorkerPool& pool_;
  BuildService& builds_;
  Outbox& outbox_;
  const ClusterEndpoints endpoints_;
};

}  // namespace strata::coordinator
