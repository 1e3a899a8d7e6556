#include "coordinator/metrics_service.h"

#include "coordinator/farm_counts.h"
#include "metrics/prometheus_page.h"

namespace strata::coordinator {
std::string MetricsService::Metrics() const {
  metrics::PrometheusPage page;
  WorkerCounts workers = CountWorkers(pool_.Workers());
  page.Gauge("strata_queue_depth", "Jobs waiting for a worker slot.",
             static_cast<double>(pool_.queued_jobs()));
  page.Gauge("strata_running_jobs", "Jobs out on workers.", workers.running_jobs);
  page.Gauge("strata_worker_slots", "Job slots of the ready workers.", workers.slots);
  page.Family("strata_workers", "Workers by state (lost: dropped in the last 10 minutes).", "gauge",
              {{"state=\"ready\"", workers.ready},
               {"state=\"draining\"", workers.draining},
               {"state=\"lost\"", workers.lost}});
  page.Gauge("strata_running_builds", "Builds running.", builds_.running_builds());

  BuildService::Stats b = builds_.stats();
  page.Family("strata_builds_total", "Builds finished, by outcome.", "counter",
              {{"result=\"succeeded\"", static_cast<double>(b.succeeded)},
               {"result=\"failed\"", static_cast<double>(b.failed)},
               {"result=\"cancelled\"", static_cast<double>(b.cancelled)}});
  page.Counter("strata_cache_hits_total", "Steps of succeeded builds served from the cache.",
               static_cast<double>(b.steps_cached));
  page.Counter("strata_cache_misses_total", "Steps of succeeded builds that ran.",
               static_cast<double>(b.steps_run));
  page.HistogramOf("strata_build_duration_seconds", "From SubmitBuild to its last reply.",
                   b.build_seconds);

  WorkerPool::Stats p = pool_.stats();
  page.HistogramOf("strata_job_duration_seconds", "From a job's dispatch to its worker's result.",
                   p.job_seconds);
  page.HistogramOf("strata_dispatch_latency_seconds",
                   "From a job's queueing (or requeueing) to its dispatch.", p.dispatch_seconds);
  page.Counter("strata_jobs_retried_total", "Jobs run again (worker lost, retryable error).",
               static_cast<double>(p.retried));
  page.Counter("strata_jobs_cancelled_total", "Jobs stopped because their build was cancelled.",
               static_cast<double>(p.cancelled));
  page.Counter("strata_jobs_timed_out_total", "Jobs stopped by the job timeout.",
               static_cast<double>(p.timed_out));
  page.Counter("strata_workers_lost_total", "Workers dropped (silent, or registered again).",
               static_cast<double>(p.workers_lost));

  if (Result<BlobCounts> blobs = CountBlobs(store_.blobs()); blobs.ok()) {
    page.Gauge("strata_store_blobs", "Blobs in the store.", static_cast<double>(blobs->blobs));
    page.Gauge("strata_store_bytes", "Bytes of the blobs in the store.",
               static_cast<double>(blobs->bytes));
  }
  if (Result<std::vector<cache::CacheEntry>> entries = store_.metadata().ListCacheEntries();
      entries.ok()) {
    page.Gauge("strata_cache_entries", "Cache entries in the store.",
               static_cast<double>(entries->size()));
  }
  return std::move(page.text());
}

metrics::HttpReply MetricsService::Serve(const std::string& path) const {
  if (path == "/metrics") {
    return {200, metrics::kPrometheusContentType, Metrics()};
  }
  if (path == "/healthz") {
    Result<std::vector<cache::ImageRecord>> images = store_.metadata().ListImages();
    if (!images.ok()) return {503, "text/plain; charset=utf-8", images.status().message() + "\n"};
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"};
}

}  // namespace strata::coordinator
