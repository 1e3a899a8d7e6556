#include "coordinator/cluster_info_service.h"

#include <utility>

#include "common/build_info.h"
#include "coordinator/farm_counts.h"

namespace strata::coordinator {

using protocol::Envelope;

bool ClusterInfoService::Handles(const Envelope& envelope) const {
  return envelope.has_list_workers() || envelope.has_system_info();
}

void ClusterInfoService::HandleClient(const std::string& peer, const Envelope& envelope) {
  Envelope reply = protocol::NewEnvelope(envelope.request_id());
  if (envelope.has_list_workers()) {
    *reply.mutable_worker_list() = ListWorkers();
  } else {
    Result<v1::SystemInfoResult> info = SystemInfo();
    if (info.ok()) {
      *reply.mutable_system_info_result() = std::move(*info);
    } else {
      reply = protocol::ErrorReply(envelope.request_id(), info.status().Annotate("system info"));
    }
  }
  outbox_.Send(Endpoint::kClient, peer, std::move(reply));
}

v1::WorkerList ClusterInfoService::ListWorkers() const {
  v1::WorkerList list;
  for (const WorkerPool::WorkerInfo& w : pool_.Workers()) {
    v1::WorkerSummary* s = list.add_workers();
    s->set_id(w.id);
    s->set_host(w.host);
    s->set_slots(w.slots);
    s->set_running(static_cast<uint32_t>(w.running.size()));
    s->set_snapshots(static_cast<uint32_t>(w.snapshots));
    s->set_silent_ms(w.silent_nanos / 1'000'000);
    s->set_held_bytes(w.held_bytes);
    s->set_max_cache_bytes(w.max_cache_bytes);
    s->set_state(WorkerState(w));
    for (const std::string& job : w.running) s->add_running_job_ids(job);
  }
  return list;
}

Result<v1::SystemInfoResult> ClusterInfoService::SystemInfo() const {
  v1::SystemInfoResult info;
  info.set_version(GetBuildInfo().version);
  ASSIGN_OR_RETURN(std::vector<cache::ImageRecord> images, store_.metadata().ListImages());
  info.set_images(static_cast<uint32_t>(images.size()));
  ASSIGN_OR_RETURN(std::vector<cache::CacheEntry> entries, store_.metadata().ListCacheEntries());
  info.set_cache_entries(static_cast<uint32_t>(entries.size()));
  ASSIGN_OR_RETURN(BlobCounts blobs, CountBlobs(store_.blobs()));
  info.set_blobs(blobs.blobs);
  info.set_blob_bytes(blobs.bytes);
  WorkerCounts workers = CountWorkers(pool_.Workers());
  info.set_workers_ready(workers.ready);
  info.set_workers_draining(workers.draining);
  info.set_workers_lost(workers.lost);
  info.set_slots(workers.slots);
  info.set_running_jobs(workers.running_jobs);
  info.set_queued_jobs(static_cast<uint32_t>(pool_.queued_jobs()));
  info.set_running_builds(static_cast<uint32_t>(builds_.running_builds()));
  info.set_client_endpoint(endpoints_.clients);
  info.set_worker_endpoint(endpoints_.workers);
  info.set_root(endpoints_.root);
  return info;
}

}  // namespace strata::coordinator
