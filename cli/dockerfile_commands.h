#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata dockerfile parse --dump FILE`, `expand [--env K=V]... WORD...`,
// `plan FILE [--target T] [--build-arg K=V]...`: the front end on its own,
// with no coordinator.
void AddDockerfileCommands(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
