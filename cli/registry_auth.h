#pragma once

// The credentials `strata` holds for a registry, sent with a push or pull
// request (RegistryAuth, as Docker's client sends X-Registry-Auth): the
// coordinator talks to the registry, the client owns the secrets.

#include <string>

#include "cli/cli_context.h"
#include "protocol/registry.pb.h"

namespace strata::cli {

// RegistryAuth for `host` ("127.0.0.1:5000", "docker.io"): its server is
// always set; username and password when a credential store has them.
v1::RegistryAuth RegistryAuthFor(const CliContext& ctx, const std::string& host);

}  // namespace strata::cli
