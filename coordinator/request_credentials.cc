#include "coordinator/request_credentials.h"

#include "registry/credential_store.h"

namespace strata::coordinator {

// Hosts are keyed as RegistryHostOf names them: Docker keeps Docker Hub
// under its v1 URL, and a client may send either.
using registry::RegistryHostOf;

void RequestCredentials::Accept(const v1::RegistryAuth& auth) {
  if (auth.server().empty()) return;
  if (auth.username().empty()) {
    Erase(auth.server()).PermitUncheckedError();
    return;
  }
  Put(auth.server(), {auth.username(), auth.password()}).PermitUncheckedError();
}

Result<std::optional<registry::Credentials>> RequestCredentials::Get(const std::string& host) {
  std::lock_guard lock(mu_);
  auto it = by_host_.find(RegistryHostOf(host));
  if (it == by_host_.end()) return std::optional<registry::Credentials>();
  return std::optional<registry::Credentials>(it->second);
}

Status RequestCredentials::Put(const std::string& host, const registry::Credentials& credentials) {
  std::lock_guard lock(mu_);
  by_host_[RegistryHostOf(host)] = credentials;
  return Status::OK();
}

Status RequestCredentials::Erase(const std::string& host) {
  std::lock_guard lock(mu_);
  by_host_.erase(RegistryHostOf(host));
  return Status::OK();
}

}  // namespace strata::coordinator
