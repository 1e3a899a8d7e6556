#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `exec [-d] [-i] [-t] [-e K=V] [--env-file F] [-u USER] [-w DIR] CONTAINER
// CMD [ARG...]` under `parent` (`strata container` and `strata`): runc exec
// into the running container, with Docker's messages and exit codes
// (docs/containers.md).
void AddExecCommand(CLI::App* parent, CliContext& ctx);

}  // namespace strata::cli
