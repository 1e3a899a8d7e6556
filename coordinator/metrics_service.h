#pragma once

// The coordinator's /metrics (Prometheus text format 0.0.4) and /healthz
// (docs/operations.md "Metrics"), served by an HttpEndpoint on
// `--metrics-listen`. Each scrape reads the pool, the builds and the store
// as they are then; nothing is kept between scrapes.

#include <string>

#include "cache/store.h"
#include "coordinator/build_service.h"
#include "metrics/http_endpoint.h"
#include "coordinator/worker_pool.h"

namespace strata::coordinator {

class MetricsService {
 public:
  // REQUIRES: all outlive the service. Thread-safe.
  MetricsService(cache::Store& store, WorkerPool& pool, BuildService& builds)
      : store_(store), pool_(pool), builds_(builds) {}

  // The page for `path`: /metrics, /healthz (200 "ok" once the store
  // answers, 503 otherwise), else 404.
  metrics::HttpReply Serve(const std::string& path) const;
  // The /metrics text.
  std::string Metrics() const;

 private:
  cache::Store& store_;
  WorkerPool& pool_;
  BuildService& builds_;
};

}  // namespace strata::coordinator
