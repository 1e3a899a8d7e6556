#include "coordinator/farm_counts.h"

namespace strata::coordinator {

const char* WorkerState(const WorkerPool::WorkerInfo& w) {
  return w.lost ? "lost" : w.draining ? "draining" : "ready";
}

WorkerCounts CountWorkers(const std::vector<WorkerPool::WorkerInfo>& workers) {
  WorkerCounts c;
  for (const WorkerPool::WorkerInfo& w : workers) {
    if (w.lost) {
      ++c.lost;
      continue;
    }
    c.running_jobs += static_cast<uint32_t>(w.running.size());
    if (w.draining) {
      ++c.draining;
    } else {
      ++c.ready;
      c.slots += w.slots;
    }
  }
  return c;
}

Result<BlobCounts> CountBlobs(cache::BlobStore& blobs) {
  ASSIGN_OR_RETURN(std::vector<Digest> digests, blobs.List());
  BlobCounts c;
  c.blobs = digests.size();
  for (const Digest& d : digests) {
    if (Result<uint64_t> size = blobs.Size(d); size.ok()) c.bytes += *size;
  }
  return c;
}

}  // namespace strata::coordinator
