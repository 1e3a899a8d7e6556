#include "cli/container_lifecycle_commands.h"

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/container/container_store.h"
#include "cli/container/rootfs.h"
#include "cli/container/runner.h"
#include "cli/container_command_support.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;
using container::State;

struct NamesFlags {
  std::vector<std::string> names;
  int timeout = 10;
  bool force = false;
};

// Applies `act` to each named container as docker does: a failure is
// printed and the next name is tried; a success echoes the name.
int ForEachContainer(ContainerStore& store, const std::vector<std::string>& names,
                     const std::function<Status(ContainerRecord&)>& act) {
  int rc = 0;
  for (const auto& name : names) {
    Result<ContainerRecord> r = store.Find(name);
    Status s = r.ok() ? act(*r) : r.status();
    if (!s.ok()) {
      const std::string prefix = "Error response from daemon: ";
      std::cerr << (s.message().rfind(prefix, 0) == 0 ? "" : prefix) << s.message() << "\n";
      rc = 1;
      continue;
    }
    std::cout << name << "\n";
  }
  return rc;
}

int RunStop(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  return ForEachContainer(store, f.names, [&](ContainerRecord& r) {
    return container::StopContainer(store, r.id, f.timeout, Runc());
  });
}

int RunStart(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  return ForEachContainer(store, f.names, [&](ContainerRecord& r) {
    if (store.IsRunning(r)) return Status::OK();
    TRY(CheckPorts(store, r));
    r.state = State::kCreated;
    r.started_ns = 0;
    TRY(store.Save(r));
    return container::SpawnMonitor(store, r.id, ctx.bin_dir + "/strata");
  });
}

int RunRemove(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  return ForEachContainer(store, f.names, [&](ContainerRecord& r) {
    if (store.IsRunning(r)) {
      if (!f.force) {
        return Status::InvalidArgument("cannot remove container \"/" + r.name +
                                       "\": container is running: stop the container before "
                                       "removing or force remove");
      }
      TRY(container::StopContainer(store, r.id, 0, Runc()));
    }
    container::UnmountRootfs(store.Dir(r.id) + "/merged").PermitUncheckedError();
    return store.Remove(r.id);
  });
}

CLI::App* AddNames(CLI::App* parent, const std::string& name, const std::string& help,
                   CliContext& ctx, std::shared_ptr<NamesFlags> f,
                   int (*run)(const CliContext&, const NamesFlags&)) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("CONTAINER", f->names, "containers")->required();
  OnRun(cmd, ctx, f, run);
  return cmd;
}

}  // namespace

void AddLifecycleCommands(CLI::App* parent, CliContext& ctx) {
  auto stop = std::make_shared<NamesFlags>();
  AddNames(parent, "stop", "Stop one or more running containers", ctx, stop, RunStop)
      ->add_option("-t,--time", stop->timeout, "seconds to wait before killing the container");
  AddNames(parent, "start", "Start one or more stopped containers (detached)", ctx,
           std::make_shared<NamesFlags>(), RunStart);
  auto rm = std::make_shared<NamesFlags>();
  AddNames(parent, "rm", "Remove one or more containers", ctx, rm, RunRemove)
      ->add_flag("-f,--force", rm->force,
                 "force the removal of a running container (uses SIGKILL)");
}

}  // namespace strata::cli
