#include "cli/tenancy_commands.h"
#include "cli/cluster_commands.h"

#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/container/container_store.h"
#include "cli/coordinator_client.h"
#include "cli/format/format_spec.h"
#include "cli/humanize.h"
#include "common/file_tree.h"
#include "protocol/envelope.h"

namespace strata::cli {
namespace {

using Json = nlohmann::ordered_json;

struct FormatFlag {
  std::string format;
  bool verbose = false;  // system df -v: refused, not yet served
};

int Fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

// Sends `request` and returns the reply, or prints the error.
Result<protocol::Envelope> Ask(const CliContext& ctx, protocol::Envelope request) {
  ASSIGN_OR_RETURN(std::unique_ptr<CoordinatorClient> client, CoordinatorClient::Connect(ctx));
  ASSIGN_OR_RETURN(protocol::Envelope reply, client->Call(request));
  if (reply.has_error()) return protocol::StatusFromError(reply.error());
  return reply;
}

int RunWorkerList(const CliContext& ctx, const FormatFlag& f) {
  auto spec = format::FormatSpec::Parse(
      f.format.empty() ? "table" : f.format,
      "{{.ID}}\t{{.Host}}\t{{.Slots}}\t{{.Running}}\t{{.Snapshots}}\t{{.Held}}\t{{.LastHeartbeat}}\t{{.State}}");
  if (!spec.ok()) return Fail(spec.status().message());
  protocol::Envelope request = protocol::NewEnvelope(0);
  request.mutable_list_workers();
  Result<protocol::Envelope> reply = Ask(ctx, std::move(request));
  if (!reply.ok()) return Fail(reply.status().message());
  if (!reply->has_worker_list()) return Fail("the coordinator did not answer with a worker list");
  std::vector<Json> rows;
  for (const v1::WorkerSummary& w : reply->worker_list().workers()) {
    Json j;
    j["ID"] = w.id();
    j["Host"] = w.host();
    j["Slots"] = w.slots();
    j["Running"] = w.running();
    j["Snapshots"] = w.snapshots();
    // "1.2GB" or "1.2GB / 20GB" under a --max-cache.
    std::string held = HumanSize(static_cast<double>(w.held_bytes()));
    if (w.max_cache_bytes() > 0) {
      held += " / " + HumanSize(static_cast<double>(w.max_cache_bytes()));
    }
    j["Held"] = held;
    j["HeldBytes"] = w.held_bytes();
    j["MaxCacheBytes"] = w.max_cache_bytes();
    j["LastHeartbeat"] = std::to_string(w.silent_ms() / 1000) + "s ago";
    j["State"] = w.state();
    j["RunningJobs"] = Json(std::vector<std::string>(w.running_job_ids().begin(),
                                                      w.running_job_ids().end()));
    rows.push_back(std::move(j));
  }
  auto out = spec->Render(rows, {{"LastHeartbeat", "LAST HEARTBEAT"}});
  if (!out.ok()) return Fail(out.status().message());
  std::cout << *out;
  return 0;
}

// "212B (100%)", as Docker's system df writes RECLAIMABLE.
std::string WithShare(uint64_t part, uint64_t whole) {
  std::string out = HumanSize(static_cast<double>(part));
  if (whole > 0) out += " (" + std::to_string(part * 100 / whole) + "%)";
  return out;
}

Json DfRow(const std::string& type, uint64_t total, uint64_t active, uint64_t size,
           uint64_t reclaimable, bool share = true) {
  Json j;
  j["Type"] = type;
  j["TotalCount"] = total;
  j["Active"] = active;
  j["Size"] = HumanSize(static_cast<double>(size));
  j["Reclaimable"] = share ? WithShare(reclaimable, size)
                           : HumanSize(static_cast<double>(reclaimable));
  return j;
}

// `strata system df`: the store's images and build cache (the
// coordinator's blobs, as stored), this machine's containers (none with
// --host: they live with the local store), and what the workers keep.
int RunSystemDf(const CliContext& ctx, const FormatFlag& f) {
  if (f.verbose) return Fail("system df --verbose is not supported yet; drop -v for the summary");
  auto spec = format::FormatSpec::Parse(
      f.format.empty() ? "table" : f.format,
      "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}");
  if (!spec.ok()) return Fail(spec.status().message());
  protocol::Envelope request = protocol::NewEnvelope(0);
  request.mutable_disk_usage();
  Result<protocol::Envelope> reply = Ask(ctx, std::move(request));
  if (!reply.ok()) return Fail(reply.status().message());
  if (!reply->has_disk_usage_result()) return Fail("the coordinator did not answer with its usage");
  const v1::DiskUsageResult& usage = reply->disk_usage_result();

  uint64_t containers = 0, running = 0, container_bytes = 0, stopped_bytes = 0;
  std::set<std::string> used_images;
  if (ctx.host.empty()) {
    container::ContainerStore store(ctx.root);
    Result<std::vector<container::ContainerRecord>> all = store.List();
    if (!all.ok()) return Fail(all.status().message());
    for (container::ContainerRecord& r : *all) {
      ++containers;
      used_images.insert(r.image_id);
      uint64_t bytes = TreeBytes(store.Dir(r.id) + "/upper").value_or(0);
      container_bytes += bytes;
      if (store.IsRunning(r)) {
        ++running;
      } else {
        stopped_bytes += bytes;
      }
    }
  }
  auto bytes_of = [&](const std::set<std::string>& blobs) {
    uint64_t total = 0;
    for (const std::string& blob : blobs) {
      auto it = usage.blob_bytes().find(blob);
      if (it != usage.blob_bytes().end()) total += it->second;
    }
    return total;
  };
  std::set<std::string> all_blobs, active_blobs;
  uint64_t active_images = 0;
  for (const v1::ImageBlobs& image : usage.images()) {
    const bool active = used_images.contains(image.id());
    active_images += active ? 1 : 0;
    for (const std::string& blob : image.blobs()) {
      all_blobs.insert(blob);
      if (active) active_blobs.insert(blob);
    }
  }
  const uint64_t image_bytes = bytes_of(all_blobs);
  std::vector<Json> rows;
  rows.push_back(DfRow("Images", usage.images_size(), active_images, image_bytes,
                       image_bytes - bytes_of(active_blobs)));
  rows.push_back(DfRow("Containers", containers, running, container_bytes, stopped_bytes));
  rows.push_back(DfRow("Local Volumes", 0, 0, 0, 0));
  rows.push_back(DfRow("Build Cache", usage.cache_entries(), 0, usage.cache_only_bytes(),
                       usage.cache_only_bytes(), /*share=*/false));
  rows.push_back(DfRow("Worker Cache", usage.workers(), usage.workers_busy(),
                       usage.worker_held_bytes(), usage.worker_held_bytes(), /*share=*/false));
  auto out = spec->Render(rows, {{"TotalCount", "TOTAL"}});
  if (!out.ok()) return Fail(out.status().message());
  std::cout << *out;
  return 0;
}

Json InfoJson(const v1::SystemInfoResult& i) {
  Json j;
  j["ServerVersion"] = i.version();
  j["Coordinator"] = i.client_endpoint();
  j["WorkerEndpoint"] = i.worker_endpoint();
  j["RootDir"] = i.root();
  j["Images"] = i.images();
  j["CacheEntries"] = i.cache_entries();
  j["Blobs"] = i.blobs();
  j["BlobBytes"] = i.blob_bytes();
  j["Workers"] = {{"Ready", i.workers_ready()},
                  {"Draining", i.workers_draining()},
                  {"Lost", i.workers_lost()}};
  j["Slots"] = i.slots();
  j["RunningJobs"] = i.running_jobs();
  j["QueuedJobs"] = i.queued_jobs();
  j["RunningBuilds"] = i.running_builds();
  return j;
}

int RunSystemInfo(const CliContext& ctx, const FormatFlag& f) {
  std::optional<format::FormatSpec> spec;
  if (!f.format.empty()) {
    auto parsed = format::FormatSpec::Parse(f.format);
    if (!parsed.ok()) return Fail(parsed.status().message());
    spec = std::move(*parsed);
  }
  protocol::Envelope request = protocol::NewEnvelope(0);
  request.mutable_system_info();
  Result<protocol::Envelope> reply = Ask(ctx, std::move(request));
  if (!reply.ok()) return Fail(reply.status().message());
  if (!reply->has_system_info_result()) return Fail("the coordinator did not answer with its info");
  const v1::SystemInfoResult& i = reply->system_info_result();
  if (spec) {
    auto out = spec->Render({InfoJson(i)});
    if (!out.ok()) return Fail(out.status().message());
    std::cout << *out;
    return 0;
  }
  const uint32_t workers = i.workers_ready() + i.workers_draining() + i.workers_lost();
  std::cout << "Server:\n"
            << " Server Version: " << i.version() << "\n"
            << " Coordinator: " << i.client_endpoint() << "\n"
            << " Worker Endpoint: " << i.worker_endpoint() << "\n"
            << " Strata Root Dir: " << i.root() << "\n"
            << " Images: " << i.images() << "\n"
            << " Cache Entries: " << i.cache_entries() << "\n"
            << " Blobs: " << i.blobs() << " (" << HumanSize(static_cast<double>(i.blob_bytes()))
            << ")\n"
            << " Workers: " << workers << "\n"
            << "  Ready: " << i.workers_ready() << "\n"
            << "  Draining: " << i.workers_draining() << "\n"
            << "  Lost: " << i.workers_lost() << "\n"
            << " Slots: " << i.slots() << "\n"
            << " Running Jobs: " << i.running_jobs() << "\n"
            << " Queued Jobs: " << i.queued_jobs() << "\n"
            << " Running Builds: " << i.running_builds() << "\n";
  return 0;
}

}  // namespace

void AddClusterCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* worker = app.add_subcommand("worker", "Manage the build farm's workers");
  worker->require_subcommand(1);
  auto ls_flags = std::make_shared<FormatFlag>();
  CLI::App* ls = worker->add_subcommand("ls", "List the workers");
  ls->alias("list");
  ls->add_option("--format", ls_flags->format,
                 "format output: table, table TEMPLATE, json, or a Go template");
  ls->final_callback(
      [&ctx, ls_flags] { ctx.run = [&ctx, ls_flags] { return RunWorkerList(ctx, *ls_flags); }; });

  CLI::App* system = app.add_subcommand("system", "Manage strata");
  system->require_subcommand(1);
  auto info_flags = std::make_shared<FormatFlag>();
  CLI::App* info = system->add_subcommand("info", "Display system-wide information");
  info->add_option("-f,--format", info_flags->format, "format output with a Go template, or json");
  info->final_callback([&ctx, info_flags] {
    ctx.run = [&ctx, info_flags] { return RunSystemInfo(ctx, *info_flags); };
  });
  auto df_flags = std::make_shared<FormatFlag>();
  CLI::App* df = system->add_subcommand("df", "Show strata disk usage");
  df->add_option("--format", df_flags->format,
                 "format output: table, table TEMPLATE, json, or a Go template");
  df->add_flag("-v,--verbose", df_flags->verbose, "show detailed information (not supported yet)");
  df->final_callback(
      [&ctx, df_flags] { ctx.run = [&ctx, df_flags] { return RunSystemDf(ctx, *df_flags); }; });
  AddTenancyCommands(*system, ctx);
  // `strata info`, as `docker info`.
  auto top_flags = std::make_shared<FormatFlag>();
  CLI::App* top = app.add_subcommand("info", "Display system-wide information");
  top->add_option("-f,--format", top_flags->format, "format output with a Go template, or json");
  top->final_callback(
      [&ctx, top_flags] { ctx.run = [&ctx, top_flags] { return RunSystemInfo(ctx, *top_flags); }; });
}

}  // namespace strata::cli
