#pragma once

// The CLI's registry credentials: `strata login`'s file, falling back to
// Docker's config.json (registry/credential_store.h), and what a request to
// the coordinator carries for one registry (RegistryAuth).

#include <memory>
#include <string>

#include "cli/cli_context.h"
#include "protocol/registry.pb.h"
#include "registry/registry_client.h"

namespace strata::cli {

// The credential store of ctx's state root.
std::shared_ptr<registry::CredentialStore> OpenCredentialStore(const CliContext& ctx);

// The credentials `store` holds for `host` as a RegistryAuth (server set,
// user and password empty when there are none). A store that cannot be
// read leaves them empty: the pull then goes anonymous and the registry's
// refusal says to log in.
v1::RegistryAuth AuthFor(registry::CredentialStore* store, const std::string& host);

}  // namespace strata::cli
