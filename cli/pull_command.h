#pragma once

#include <string>

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata image pull` / `strata pull NAME[:TAG|@DIGEST]` with -a, -q and
// --platform: the coordinator pulls into its store (docs/image-commands.md).
void AddPullCommand(CLI::App* parent, const std::string& name, CliContext& ctx);

}  // namespace strata::cli
