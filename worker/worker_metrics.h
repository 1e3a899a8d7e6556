#pragma once

// A worker's own /metrics (Prometheus text format 0.0.4) and /healthz
// (docs/cluster.md "Seeing it run"), served by an HttpEndpoint on the
// worker's --metrics-listen: its slots and running jobs, the jobs it
// finished by outcome and how long they ran, what it keeps for later jobs
// and its evictions. Each scrape reads the agent and the ledger as they
// are then.

#include <string>

#include "metrics/http_endpoint.h"
#include "worker/agent.h"
#include "worker/cache_ledger.h"

namespace strata::worker {

class WorkerMetrics {
 public:
  // REQUIRES: both outlive this. Thread-safe.
  WorkerMetrics(WorkerAgent& agent, CacheLedger& ledger) : agent_(agent), ledger_(ledger) {}

  // /metrics; /healthz: 200 "ok" while registered with the coordinator, 503
  // otherwise (not yet, or the coordinator is gone); else 404.
  metrics::HttpReply Serve(const std::string& path) const;
  std::string Metrics() const;

 private:
  WorkerAgent& agent_;
  CacheLedger& ledger_;
};

}  // namespace strata::worker
