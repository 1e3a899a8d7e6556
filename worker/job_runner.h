#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "protocol/connection.h"
#include "protocol/worker.pb.h"
#include "sandbox/runtime.h"
#include "snapshot/snapshotter.h"
#include "worker/blob_cache.h"
#include "worker/cache_ledger.h"

namespace strata::worker {

struct JobRunnerOptions {
  // Absolute; layers/ (new layer blobs) and tmp/ (contexts, heredoc
  // scripts) go under it. Created if missing.
  std::string work_dir;
  // Longest wait for one reply (a BlobGet chunk, the Ack of an upload).
  std::chrono::milliseconds reply_timeout{60000};
  // Put in every JobLog and JobResult: the coordinator takes a job's
  // answers only from the worker it sent the job to.
  std::string worker_id;
};

// Carries out one Job on this worker (docs/worker-runtime.md, "The worker
// process"): unpacks the parent and --from layers (BlobCache +
// ExtractingUnpacker), materializes the COPY context or mounts the --from
// chain, runs the StepExecutor, uploads the layer with BlobPut unless the
// shared blob directory holds it, and keeps it in the blob cache. What a
// job uses is held in the CacheLedger while it runs, and what it adds is
// counted there.
// Thread-safe: each Run uses its own connection and scratch directories.
// The snapshotter, runtime, cache and ledger are not owned.
class JobRunner {
 public:
  JobRunner(snapshot::Snapshotter* snapshotter, sandbox::Runtime* runtime, BlobCache* blobs,
            CacheLedger* ledger, JobRunnerOptions options);

  // Runs `job` and returns the JobResult to send: the layer; or exit_code,
  // failure and output_tail for a RUN that exited non-zero; or `error`
  // with the Status code (Cancelled made retryable). `connection` (used
  // from this thread only) carries BlobGet, BlobPut and the JobLog lines,
  // which carry `request_id`. `cancel` stops a RUN when it turns true.
  v1::JobResult Run(const v1::Job& job, uint64_t request_id, protocol::Connection& connection,
                    const std::atomic<bool>* cancel);

 private:
  struct Scratch;  // what one job holds on disk, released on every path

  Status Execute(const v1::Job& job, uint64_t request_id, protocol::Connection& connection,
                 const std::atomic<bool>* cancel, Scratch& scratch, v1::JobResult& result);
  Status EnsureLayer(const v1::LayerRef& ref, BlobFetcher& fetcher, CacheLedger::Hold& hold);
  // The blob `digest` as a local file, held for the job.
  Result<std::string> GetBlob(const Digest& digest, BlobFetcher& fetcher, CacheLedger::Hold& hold);

  snapshot::Snapshotter* snapshotter_;
  sandbox::Runtime* runtime_;
  BlobCache* blobs_;
  CacheLedger* ledger_;
  JobRunnerOptions options_;
};

}  // namespace strata::worker
