#pragma once

#include <optional>
#include <string>

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata container run|exec|inspect|ls|stop|start|rm|logs|commit|export`
// with Docker's flags and output (docs/containers.md), the top-level short
// forms `run`, `exec`, `ps`, `stop`, `start`, `rm`, `logs`, `commit`,
// `export`, and the hidden `container _monitor ID` that runs a detached
// container.
void AddContainerCommands(CLI::App& app, CliContext& ctx);

// `docker inspect`'s JSON (text) of the container NAME (name, id or id
// prefix), or nullopt when no container has it: the top-level `inspect`
// then looks for an image, as Docker does. `size` adds SizeRw/SizeRootFs.
std::optional<std::string> ContainerInspectJson(const CliContext& ctx, const std::string& name,
                                                bool size);

}  // namespace strata::cli
