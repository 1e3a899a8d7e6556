#pragma once

#include <ostream>
#include <string>

#include "cli/cli_context.h"
#include "common/options.h"
#include "common/status.h"

namespace strata::cli {

// `strata image pull` / `strata pull NAME[:TAG|@DIGEST]` with -a, -q and
// --platform: the coordinator pulls into its store (docs/image-commands.md).
void AddPullCommand(CLI::App* parent, const std::string& name, CliContext& ctx);

// Pulls `name` as `strata pull NAME` does, printing its lines to `out`
// (`container run` of an absent image: Docker's lines on stderr).
Status PullImage(const CliContext& ctx, const std::string& name, const std::string& platform,
                 std::ostream& out);

}  // namespace strata::cli
