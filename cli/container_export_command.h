#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `export [-o FILE] CONTAINER` under `parent`: the container's filesystem
// as a tar archive, to FILE or to a stdout that is not a terminal
// (docs/containers.md).
void AddExportCommand(CLI::App* parent, CliContext& ctx);

}  // namespace strata::cli
