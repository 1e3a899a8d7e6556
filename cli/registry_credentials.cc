#include "cli/registry_credentials.h"

#include "registry/credential_store.h"

namespace strata::cli {

std::shared_ptr<registry::CredentialStore> OpenCredentialStore(const CliContext& ctx) {
  return registry::NewFileCredentialStore(registry::DefaultCredentialFiles(ctx.root));
}

}  // namespace strata::cli
