#include "worker/worker_metrics.h"

#include "metrics/prometheus_page.h"

namespace strata::worker {

std::string WorkerMetrics::Metrics() const {
  metrics::PrometheusPage page;
  page.Gauge("strata_worker_slots", "Jobs this worker runs at once.",
             agent_.options().slots);
  page.Gauge("strata_worker_running_jobs", "Jobs running here now.", agent_.running_jobs());
  page.Gauge("strata_worker_registered", "1 while registered with the coordinator.",
             agent_.registered() ? 1 : 0);
  page.Gauge("strata_worker_draining", "1 while draining (SIGTERM).", agent_.draining() ? 1 : 0);
  WorkerAgent::Stats s = agent_.stats();
  page.Family("strata_worker_jobs_total", "Jobs finished here, by outcome.", "counter",
              {{"result=\"succeeded\"", static_cast<double>(s.succeeded)},
               {"result=\"run_failed\"", static_cast<double>(s.run_failed)},
               {"result=\"error\"", static_cast<double>(s.errored)},
               {"result=\"cancelled\"", static_cast<double>(s.cancelled)}});
  page.HistogramOf("strata_worker_job_duration_seconds",
                   "From a job's arrival here to its result.", s.job_seconds);
  CacheLedger::Usage held = ledger_.usage();
  page.Gauge("strata_worker_held_bytes",
             "Bytes of the unpacked layers and blobs kept for later jobs.",
             static_cast<double>(held.bytes));
  page.Gauge("strata_worker_max_cache_bytes", "The --max-cache budget (0: none).",
             static_cast<double>(held.max_bytes));
  page.Gauge("strata_worker_layers", "Unpacked layers kept.", static_cast<double>(held.layers));
  page.Gauge("strata_worker_blobs", "Blobs kept.", static_cast<double>(held.blobs));
  page.Counter("strata_worker_evictions_total", "Layers and blobs removed over the budget.",
               static_cast<double>(held.evicted));
  return std::move(page.text());
}

metrics::HttpReply WorkerMetrics::Serve(const std::string& path) const {
  if (path == "/metrics") return {200, metrics::kPrometheusContentType, Metrics()};
  if (path == "/healthz") {
    if (!agent_.registered()) {
      return {503, "text/plain; charset=utf-8", "not registered with the coordinator\n"};
    }
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"};
}

}  // namespace strata::worker
