#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `logs [-f] CONTAINER` under `parent`: the container's output so far, and
// with -f what follows until it exits (docs/containers.md).
void AddLogsCommand(CLI::App* parent, CliContext& ctx);

}  // namespace strata::cli
