#include "cli/container_list_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/container/container_store.h"
#include "cli/container_command_support.h"
#include "cli/format/format_spec.h"
#include "cli/humanize.h"
#include "common/clock.h"
#include "common/utf8.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;
using container::State;

using Json = nlohmann::ordered_json;

struct ListFlags {
  bool all = false, quiet = false, no_trunc = false;
  std::string format;
};

// Docker's COMMAND column: the argv joined, cut to 20 characters with "…",
// then quoted.
std::string CommandColumn(const std::vector<std::string>& argv, bool no_trunc) {
  std::string joined;
  for (const auto& a : argv) joined += (joined.empty() ? "" : " ") + a;
  if (!no_trunc) {
    size_t count = 0, cut = joined.size();
    for (size_t i = 0; i < joined.size(); ++count) {
      if (count == 19) cut = i;
      i += DecodeRune(std::string_view(joined).substr(i)).width;
    }
    if (count > 20) joined = joined.substr(0, cut) + "…";
  }
  return Json(joined).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StatusColumn(const ContainerRecord& r, int64_t now_ns) {
  auto seconds = [&](int64_t since) { return (now_ns - since) / 1000000000LL; };
  switch (r.state) {
    case State::kRunning:
      return "Up " + HumanDuration(seconds(r.started_ns));
    case State::kExited:
      return "Exited (" + std::to_string(r.exit_code) + ") " +
             HumanDuration(seconds(r.finished_ns)) + " ago";
    case State::kCreated:
      return "Created";
  }
  return "Created";
}

int RunList(const CliContext& ctx, const ListFlags& f) {
  std::string table =
      "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  std::string format = f.quiet ? "{{.ID}}" : (f.format.empty() ? "table" : f.format);
  auto spec = format::FormatSpec::Parse(format, table);
  if (!spec.ok()) return Fail(spec.status());
  ContainerStore store(ctx.root);
  auto list = store.List();
  if (!list.ok()) return Fail(list.status());
  const int64_t now = NowNanos();
  std::vector<Json> rows;
  for (auto& r : *list) {
    bool running = store.IsRunning(r);
    if (!f.all && !running) continue;
    std::string ports;  // Docker shows the published ports of running containers only
    if (running) {
      for (const auto& p : r.ports) ports += (ports.empty() ? "" : ", ") + p;
    }
    Json j;
    j["Command"] = CommandColumn(r.Argv(), f.no_trunc);
    j["CreatedAt"] = FormatRfc3339Nano(r.created_ns);
    j["ID"] = f.no_trunc ? r.id : r.ShortId();
    j["Image"] = r.image;
    j["Labels"] = "";
    j["LocalVolumes"] = "0";
    j["Mounts"] = "";
    j["Names"] = r.name;
    j["Networks"] = "host";
    j["Ports"] = ports;
    j["RunningFor"] = HumanDuration((now - r.created_ns) / 1000000000LL) + " ago";
    j["Size"] = "0B";
    j["State"] = container::StateName(r.state);
    j["Status"] = StatusColumn(r, now);
    rows.push_back(std::move(j));
  }
  auto out = spec->Render(
      rows, {{"ID", "CONTAINER ID"}, {"RunningFor", "CREATED"}, {"CreatedAt", "CREATED AT"}});
  if (!out.ok()) return Fail(out.status());
  std::cout << *out;
  return 0;
}

}  // namespace

void AddContainerListCommand(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<ListFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "List containers");
  cmd->add_flag("-a,--all", f->all, "show all containers (default shows just running)");
  cmd->add_flag("-q,--quiet", f->quiet, "only display container IDs");
  cmd->add_flag("--no-trunc", f->no_trunc, "don't truncate output");
  cmd->add_option("--format", f->format,
                  "format output: table, table TEMPLATE, json, or a Go template");
  OnRun(cmd, ctx, f, RunList);
}

}  // namespace strata::cli
