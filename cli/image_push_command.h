#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata image push NAME[:TAG]` and `strata push`, with Docker's flags
// (-a/--all-tags, -q/--quiet) and output. REQUIRES: after AddImageCommands
// (it adds to the `image` command).
void AddPushCommand(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
