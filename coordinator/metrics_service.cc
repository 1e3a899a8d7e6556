#include "coordinator/metrics_service.h"

#include <cstdio>
#include <map>

#include "coordinator/farm_counts.h"

namespace strata::coordinator {
namespace {

std::string Number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

class Page {
 public:
  void Gauge(const std::string& name, const std::string& help, double value,
             const std::string& labels = "") {
    Header(name, help, "gauge");
    Sample(name, labels, value);
  }
  void Counter(const std::string& name, const std::string& help, double value,
               const std::string& labels = "") {
    Header(name, help, "counter");
    Sample(name, labels, value);
  }
  // One family, several label sets.
  void Family(const std::string& name, const std::string& help, const std::string& type,
              const std::map<std::string, double>& by_labels) {
    Header(name, help, type);
    for (const auto& [labels, value] : by_labels) Sample(name, labels, value);
  }
  void HistogramOf(const std::string& name, const std::string& help,
                   const Histogram::Snapshot& h) {
    Header(name, help, "histogram");
    for (size_t i = 0; i < h.bounds.size(); ++i) {
      text_ += name + "_bucket{le=\"" + Number(h.bounds[i]) + "\"} " +
               std::to_string(h.cumulative[i]) + "\n";
    }
    text_ += name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    text_ += name + "_sum " + Number(h.sum) + "\n";
    text_ += name + "_count " + std::to_string(h.count) + "\n";
  }
  std::string& text() { return text_; }

 private:
  void Header(const std::string& name, const std::string& help, const std::string& type) {
    text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const std::string& name, const std::string& labels, double value) {
    text_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " + Number(value) + "\n";
  }
  std::string text_;
};

}  // namespace

std::string MetricsService::Metrics() const {
  Page page;
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

HttpReply MetricsService::Serve(const std::string& path) const {
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", Metrics()};
  }
  if (path == "/healthz") {
    Result<std::vector<cache::ImageRecord>> images = store_.metadata().ListImages();
    if (!images.ok()) return {503, "text/plain; charset=utf-8", images.status().message() + "\n"};
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"};
}

}  // namespace strata::coordinator
