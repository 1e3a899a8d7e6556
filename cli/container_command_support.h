#pragma once

// What the container commands share (docs/containers.md): Docker's exit
// codes and error lines, the rule that containers need the local
// coordinator, the runc driver's configuration, and Docker's port check.

#include <cstdint>
#include <memory>

#include "cli/cli_context.h"
#include "cli/container/container_store.h"
#include "cli/container/runner.h"
#include "common/options.h"
#include "common/status.h"

namespace strata::cli {

// Prints "Error: MESSAGE"; exits 125 for a bad argument (Docker's flag
// errors), else 1.
int Fail(const Status& s);

// `run` and `exec` exit 125 when strata itself fails (Docker's rule), and
// print the reason the way every strata command does.
int RunFail(const Status& s);

// Prints the message (with "Error: " unless it is a daemon error already)
// and returns `code`.
int PrintError(const Status& s, int code);

int64_t NowNanos();

// InvalidArgument with --host: containers run on this machine.
Status RequireLocal(const CliContext& ctx);

// runc from PATH (a --runtime option would belong in the option table).
container::RuncConfig Runc();

// Docker's port allocator: every port `r` publishes must be free of the
// other running containers and of the host's processes.
Status CheckPorts(container::ContainerStore& store, const container::ContainerRecord& r);

// Makes `cmd` run `run(ctx, *flags)` once parsed.
template <typename Flags>
void OnRun(CLI::App* cmd, CliContext& ctx, std::shared_ptr<Flags> flags,
           int (*run)(const CliContext&, const Flags&)) {
  cmd->final_callback(
      [&ctx, flags, run] { ctx.run = [&ctx, flags, run] { return run(ctx, *flags); }; });
}

}  // namespace strata::cli
