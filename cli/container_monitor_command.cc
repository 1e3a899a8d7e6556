#include "cli/container_monitor_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/container/container_store.h"
#include "cli/container/runner.h"
#include "cli/container_command_support.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;
using container::State;

int RunMonitor(const CliContext& ctx, const std::string& id) {
  ContainerStore store(ctx.root);
  Result<ContainerRecord> record = store.Load(id);
  if (!record.ok()) return Fail(record.status());
  container::RunIo io;
  // -d -i: stdin stays open (a pipe nobody writes to), so that a shell waits
  // for input as it does under Docker instead of reading EOF at once.
  int held_stdin[2] = {-1, -1};
  if (record->interactive && pipe2(held_stdin, O_CLOEXEC) == 0) io.in = held_stdin[0];
  io.terminal = record->tty;  // -dt: a pty of the monitor's, its output logged
  io.own_pty = record->tty;
  Result<int> code = container::RunOnce(store, *record, io, Runc());
  for (int fd : held_stdin) {
    if (fd >= 0) close(fd);
  }
  if (!code.ok()) {
    std::cerr << "Error: " << code.status().message() << "\n";
    record->state = State::kExited;
    record->exit_code = 125;
    record->error = code.status().message();
    record->monitor_pid = 0;
    store.Save(*record).PermitUncheckedError();
  }
  if (record->auto_remove) store.Remove(id).PermitUncheckedError();
  return 0;
}

}  // namespace

void AddMonitorCommand(CLI::App* container, CliContext& ctx) {
  auto monitor_id = std::make_shared<std::string>();
  CLI::App* monitor = container->add_subcommand("_monitor", "");
  monitor->group("");  // hidden: started by run -d and start
  monitor->add_option("ID", *monitor_id)->required();
  monitor->final_callback([&ctx, monitor_id] {
    ctx.run = [&ctx, monitor_id] { return RunMonitor(ctx, *monitor_id); };
  });
}

}  // namespace strata::cli
