#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata login [-u USER] [-p PASS | --password-stdin] [SERVER]` and
// `strata logout [SERVER]`: the credentials go to the CLI's credential
// store (registry/credential_store.h), which pulls and builds send to the
// coordinator. Login does not contact the registry (docs/image-commands.md).
void AddLoginCommands(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
