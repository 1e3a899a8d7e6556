#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata image import|ls|inspect|tag|rm|save|load` with Docker's flags and
// output, and the short forms `images`, `rmi`, `tag`, `inspect`.
void AddImageCommands(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
