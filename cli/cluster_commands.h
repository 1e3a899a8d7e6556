#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// The farm as the coordinator sees it (docs/protocol.md "Requests and their
// replies"):
//   strata worker ls [--format F]    one row per worker: ID, HOST, SLOTS,
//                                    RUNNING, SNAPSHOTS, LAST HEARTBEAT
//                                    (seconds ago), STATE (ready, draining,
//                                    lost); --format as `image ls` takes it
//   strata system info [--format F]  the coordinator's store and pool in
//                                    `docker info`'s layout, or a template of
//                                    its JSON
void AddClusterCommands(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
