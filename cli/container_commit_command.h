#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `commit [-a A] [-m M] [-c INSTR] CONTAINER [REPOSITORY[:TAG]]` under
// `parent`: the container's changes become a layer on its image, stored by
// the coordinator (docs/containers.md).
void AddCommitCommand(CLI::App* parent, CliContext& ctx);

}  // namespace strata::cli
