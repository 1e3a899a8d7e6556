#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata container run|exec|inspect|ls|stop|start|rm|logs|commit|export`
// with Docker's flags and output (docs/containers.md), the top-level short
// forms `run`, `exec`, `ps`, `stop`, `start`, `rm`, `logs`, `commit`,
// `export`, and the hidden `container _monitor ID` that runs a detached
// container. exec and inspect live in container_exec_command.h and
// container_inspect_command.h.
void AddContainerCommands(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
