#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `ls` (`container ls|list|ps`, `strata ps`) as `name` under `parent`:
// Docker's table of containers, -a, -q, --no-trunc and --format
// (docs/containers.md).
void AddContainerListCommand(CLI::App* parent, const std::string& name, CliContext& ctx);

}  // namespace strata::cli
