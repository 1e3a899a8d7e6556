#pragma once

#include <string>

#include "cli/cli_context.h"
#include "common/build_info.h"
#include "common/options.h"

namespace strata::cli {

// `strata version [--format TEMPLATE]`: Docker's layout, a Client section
// from this binary and a Server section from the coordinator (a local one is
// started as for any command; an unreachable --host prints the client part,
// then the error, and exits 1, as `docker version` does without a daemon).
void AddVersionCommand(CLI::App& app, CliContext& ctx);

// "strata version 0.1.0, build 2e9bf2c": what `strata --version` prints.
std::string VersionLine(const BuildInfo& info);

// The text of one section ("Client:" or "Server:"), Docker's alignment:
// labels padded so that values start in column 20 (21 in the server's
// component).
std::string VersionSection(const std::string& title, const BuildInfo& info, int api_version,
                           bool server);

}  // namespace strata::cli
