#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `run [OPTIONS] IMAGE [COMMAND] [ARG...]` under `parent` (`strata
// container` and `strata`): creates a container from a local image and runs
// it in the foreground (-i, -t) or detached (-d, through `container
// _monitor`), with Docker's flags, messages and exit codes; Docker's flags
// strata does not carry out are refused with "is not supported yet"
// (docs/containers.md).
void AddRunCommand(CLI::App* parent, CliContext& ctx);

}  // namespace strata::cli
