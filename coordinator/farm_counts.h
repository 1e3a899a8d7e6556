#pragma once

// The counts `strata system info` and /metrics both show: the pool's
// workers by state, and the store's blobs. Pure but for reading.

#include <cstdint>
#include <vector>

#include "cache/blob_store.h"
#include "common/result.h"
#include "coordinator/worker_pool.h"

namespace strata::coordinator {

// "ready", "draining" or "lost".
const char* WorkerState(const WorkerPool::WorkerInfo& w);

struct WorkerCounts {
  uint32_t ready = 0, draining = 0, lost = 0;
  uint32_t slots = 0;         // of the ready workers
  uint32_t running_jobs = 0;  // on the workers not lost
};
WorkerCounts CountWorkers(const std::vector<WorkerPool::WorkerInfo>& workers);

struct BlobCounts {
  uint64_t blobs = 0;
  uint64_t bytes = 0;  // a blob deleted while counting counts nothing
};
Result<BlobCounts> CountBlobs(cache::BlobStore& blobs);

}  // namespace strata::coordinator
