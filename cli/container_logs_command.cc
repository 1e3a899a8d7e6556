#include "cli/container_logs_command.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/container/container_store.h"
#include "cli/container_command_support.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;

struct LogsFlags {
  std::vector<std::string> names;
  bool follow = false;
};

int RunLogs(const CliContext& ctx, const LogsFlags& f) {
  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(f.names[0]);
  if (!r.ok()) return Fail(r.status());
  std::ifstream in(store.LogPath(r->id), std::ios::binary);
  char buf[1 << 16];
  auto drain = [&] {
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      std::cout.write(buf, in.gcount());
    }
    in.clear();
    std::cout.flush();
  };
  drain();
  if (!f.follow) return 0;
  while (true) {
    Result<ContainerRecord> now = store.Load(r->id);
    bool running = now.ok() && store.IsRunning(*now);
    drain();
    if (!running) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void AddLogsCommand(CLI::App* parent, CliContext& ctx) {
  auto logs = std::make_shared<LogsFlags>();
  CLI::App* cmd = parent->add_subcommand("logs", "Fetch the logs of a container");
  cmd->add_option("CONTAINER", logs->names, "containers")->required();
  OnRun(cmd, ctx, logs, RunLogs);
  cmd->add_flag("-f,--follow", logs->follow, "follow log output until the container exits");
}

}  // namespace strata::cli
