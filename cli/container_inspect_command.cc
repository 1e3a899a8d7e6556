#include "cli/container_inspect_command.h"

#include <stdlib.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/container/container_inspect.h"
#include "cli/container/container_store.h"
#include "cli/container/rootfs.h"
#include "cli/format/format_spec.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;
using Json = nlohmann::ordered_json;

int Fail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return 1;
}

struct InspectFlags {
  std::vector<std::string> names;
  std::string format;
  bool size = false;
};

std::string InspectOne(ContainerStore& store, ContainerRecord& r, bool size) {
  container::InspectFacts facts;
  facts.running = store.IsRunning(r);
  facts.dir = store.Dir(r.id);
  facts.lower_dirs = container::LowerDirs(store.SnapshotRoot(), r.chain);
  if (facts.running) {
    Result<std::string> pid = ReadFile(facts.dir + "/bundle/pid");
    if (pid.ok()) facts.pid = std::atoi(pid->c_str());
  }
  if (size) {
    int64_t rw = static_cast<int64_t>(TreeBytes(facts.dir + "/upper").value_or(0));
    int64_t image = 0;
    for (const auto& d : facts.lower_dirs) image += static_cast<int64_t>(TreeBytes(d).value_or(0));
    facts.size_rw = rw;
    facts.size_root_fs = rw + image;
  }
  return container::InspectJson(r, facts);
}

int RunContainerInspect(const CliContext& ctx, const InspectFlags& f) {
  std::optional<format::FormatSpec> spec;
  if (!f.format.empty()) {
    auto parsed = format::FormatSpec::Parse(f.format);
    if (!parsed.ok()) return Fail(parsed.status());
    spec = std::move(*parsed);
  }
  ContainerStore store(ctx.root);
  std::vector<Json> items;
  std::vector<std::string> errors;
  for (const auto& name : f.names) {
    Result<ContainerRecord> r = store.Find(name);
    if (!r.ok()) {
      errors.push_back(r.status().message());
      continue;
    }
    items.push_back(Json::parse(InspectOne(store, *r, f.size)));
  }
  if (spec) {
    auto out = spec->Render(items);
    if (!out.ok()) return Fail(out.status());
    std::cout << *out;
  } else {
    std::cout << Json(items).dump(4, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  for (const auto& e : errors) std::cerr << "Error: " << e << "\n";
  return errors.empty() ? 0 : 1;
}

}  // namespace

void AddContainerInspectCommand(CLI::App* parent, CliContext& ctx) {
  auto f = std::make_shared<InspectFlags>();
  CLI::App* cmd =
      parent->add_subcommand("inspect", "Display detailed information on one or more containers");
  cmd->add_option("-f,--format", f->format, "format output: json or a Go template");
  cmd->add_flag("-s,--size", f->size, "display total file sizes (SizeRw, SizeRootFs)");
  cmd->add_option("CONTAINER", f->names, "containers")->required();
  cmd->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunContainerInspect(ctx, *f); }; });
}

std::optional<std::string> ContainerInspectJson(const CliContext& ctx, const std::string& name,
                                                bool size) {
  if (!ctx.host.empty()) return std::nullopt;  // containers are on this machine only
  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(name);
  if (!r.ok()) return std::nullopt;
  return InspectOne(store, *r, size);
}

}  // namespace strata::cli
