#pragma once

// How `strata` reaches a coordinator: the one named by --host, or the local
// one of its state directory, started on demand (the embedded default of
// DESIGN.md). Two `strata` commands started at the same moment share one
// coordinator: starting is serialised by a lock file, and the coordinator
// itself holds root/coordinator.lock for as long as it runs.

#include <chrono>
#include <memory>
#include <string>

#include "cli/cli_context.h"
#include "common/result.h"
#include "protocol/connection.h"
#include "protocol/context.h"

namespace strata::cli {

class CoordinatorClient {
 public:
  // Connects to ctx.host, or to the local coordinator of ctx.root (starting
  // it when none answers). Unavailable, saying what to do, when none can be
  // reached.
  static Result<std::unique_ptr<CoordinatorClient>> Connect(const CliContext& ctx);

  // Sends `request` and waits for its reply; an Error reply becomes its Status.
  // A local coordinator that exits or is killed meanwhile is noticed within
  // about a second (Unavailable), not at the end of `timeout`.
  Result<protocol::Envelope> Call(protocol::Envelope request,
                                  std::chrono::milliseconds timeout = std::chrono::minutes(30));

  // Whether the coordinator is known to be gone: for a local one, nobody
  // holds its coordinator.lock any more. A remote one is never known gone
  // here (the call's timeout decides).
  bool KnownGone() const;

  // The connection itself, for exchanges that stream (builds).
  protocol::Connection& connection() { return *connection_; }

 private:
  CoordinatorClient() = default;
  std::unique_ptr<protocol::Context> context_;
  std::unique_ptr<protocol::Connection> connection_;
  std::string root_;  // local mode: the state directory; empty for --host
};

// Seconds a local coordinator waits without requests before exiting.
inline constexpr int kLocalIdleSeconds = 300;

}  // namespace strata::cli
