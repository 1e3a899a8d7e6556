#include "cli/registry_credentials.h"
#include "common/logging.h"

namespace strata::cli {

v1::RegistryAuth AuthFor(registry::CredentialStore* store, const std::string& host) {
  v1::RegistryAuth auth;
  auth.set_server(host);
  if (store == nullptr) return auth;
  Result<std::optional<registry::Credentials>> found = store->Get(host);
  if (!found.ok()) {
    LOG(WARN) << "credentials for " << host << ": " << found.status().message();
    return auth;
  }
  if (found->has_value()) {
    auth.set_username((*found)->username);
    auth.set_password((*found)->password);
  }
  return auth;
}

}  // namespace strata::cli
