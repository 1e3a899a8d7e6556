#pragma once

// `strata system token create`, `strata system keygen` and `strata system
// shutdown` (docs/tenancy.md).

#include "common/options.h"

#include "cli/cli_context.h"

namespace strata::cli {

// Adds the commands under `system`.
void AddTenancyCommands(CLI::App& system, CliContext& ctx);

}  // namespace strata::cli
