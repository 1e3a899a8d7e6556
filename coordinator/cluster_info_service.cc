#include "coordinator/cluster_info_service.h"

#include <set>
#include <utility>

#include "common/build_info.h"
#include "coordinator/farm_counts.h"

namespace strata::coordinator {

using protocol::Envelope;

bool ClusterInfoService::Handles(const Envelope& envelope) const {
  return envelope.has_list_workers() || envelope.has_system_info() || envelope.has_disk_usage();
}

void ClusterInfoService::HandleClient(const std::string& peer, const Envelope& envelope) {
  Envelope reply = protocol::NewEnvelope(envelope.request_id());
  if (envelope.has_list_workers()) {
    *reply.mutable_worker_list() = ListWorkers();
  } else if (envelope.has_disk_usage()) {
    Result<v1::DiskUsageResult> usage = DiskUsage();
    if (usage.ok()) {
      *reply.mutable_disk_usage_result() = std::move(*usage);
    } else {
      reply = protocol::ErrorReply(envelope.request_id(), usage.status().Annotate("disk usage"));
    }
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

Result<v1::DiskUsageResult> ClusterInfoService::DiskUsage() const {
  v1::DiskUsageResult out;
  auto size_of = [&](const Digest& blob) {
    auto& sizes = *out.mutable_blob_bytes();
    if (sizes.contains(blob.ToString())) return;
    Result<uint64_t> bytes = store_.blobs().Size(blob);
    sizes[blob.ToString()] = bytes.ok() ? *bytes : 0;  // a missing blob holds no disk
  };
  ASSIGN_OR_RETURN(std::vector<cache::ImageRecord> images, store_.metadata().ListImages());
  std::set<std::string> of_images;
  for (const cache::ImageRecord& image : images) {
    v1::ImageBlobs* entry = out.add_images();
    entry->set_id(image.id.ToString());
    for (const Digest& blob : image.ReferencedBlobs()) {
      entry->add_blobs(blob.ToString());
      of_images.insert(blob.ToString());
      size_of(blob);
    }
  }
  ASSIGN_OR_RETURN(std::vector<cache::CacheEntry> entries, store_.metadata().ListCacheEntries());
  out.set_cache_entries(static_cast<uint32_t>(entries.size()));
  std::set<std::string> cache_only;
  for (const cache::CacheEntry& entry : entries) {
    for (const Digest& blob : entry.ReferencedBlobs()) {
      if (of_images.contains(blob.ToString()) || !cache_only.insert(blob.ToString()).second) {
        continue;
      }
      size_of(blob);
      out.set_cache_only_bytes(out.cache_only_bytes() + out.blob_bytes().at(blob.ToString()));
    }
  }
  for (const WorkerPool::WorkerInfo& w : pool_.Workers()) {
    if (w.lost) continue;
    out.set_workers(out.workers() + 1);
    if (!w.running.empty()) out.set_workers_busy(out.workers_busy() + 1);
    out.set_worker_held_bytes(out.worker_held_bytes() + w.held_bytes);
  }
  return out;
}

}  // namespace strata::coordinator
