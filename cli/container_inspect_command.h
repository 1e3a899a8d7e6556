#pragma once

#include <optional>
#include <string>

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `container inspect [-f FORMAT] [-s] CONTAINER...` under `parent`: Docker's
// JSON of each container (docs/containers.md).
void AddContainerInspectCommand(CLI::App* parent, CliContext& ctx);

// `docker inspect`'s JSON (text) of the container NAME (name, id or id
// prefix), or nullopt when no container has it: the top-level `inspect`
// then looks for an image, as Docker does. `size` adds SizeRw/SizeRootFs.
std::optional<std::string> ContainerInspectJson(const CliContext& ctx, const std::string& name,
                                                bool size);

}  // namespace strata::cli
