#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// The hidden `container _monitor ID` that `run -d` and `start` spawn: runs
// the container in the background until it exits, records its exit code,
// and removes it when it was started with --rm.
void AddMonitorCommand(CLI::App* container, CliContext& ctx);

}  // namespace strata::cli
