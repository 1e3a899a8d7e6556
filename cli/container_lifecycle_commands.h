#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `stop [-t S]`, `start` and `rm [-f]` of one or more containers under
// `parent`, as docker does: each name is tried, a failure is printed and
// the exit code is 1, a success echoes the name (docs/containers.md).
void AddLifecycleCommands(CLI::App* parent, CliContext& ctx);

}  // namespace strata::cli
