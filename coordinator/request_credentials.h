#pragma once

// The credentials one client request carried (RegistryAuth, as Docker's
// client sends X-Registry-Auth), as the CredentialStore a RegistryClient made
// for that request reads. The coordinator never stores them: Put and Erase
// are refused.

#include <optional>
#include <string>

#include "protocol/registry.pb.h"
#include "registry/registry_client.h"

namespace strata::coordinator {

class RequestCredentials : public registry::CredentialStore {
 public:
  // An empty `auth` (no username and password) is anonymous.
  explicit RequestCredentials(const v1::RegistryAuth& auth);

  // The request's credentials when `host` is their server (Docker Hub's
  // spellings count as one), else nullopt.
  Result<std::optional<registry::Credentials>> Get(const std::string& host) override;
  Status Put(const std::string& host, const registry::Credentials& credentials) override;
  Status Erase(const std::string& host) override;

 private:
  std::string server_;
  std::optional<registry::Credentials> credentials_;
};

// "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"
// -> "docker.io"; a scheme and trailing path are dropped from others.
std::string NormalizeRegistryHost(std::string host);

}  // namespace strata::coordinator
