#pragma once

// The registry credentials clients sent with their requests (PullImage's
// and SubmitBuild's RegistryAuth), as the CredentialStore the coordinator's
// RegistryClient reads. Kept in memory only, per registry host, the latest
// a client sent winning; never written to disk or logged. A request without
// credentials for a host leaves the ones an earlier request sent (one user
// per coordinator today: see docs/architecture.md "Tenancy").
//
// Thread-safe.

#include <map>
#include <mutex>
#include <string>

#include "protocol/registry.pb.h"
#include "registry/registry_client.h"

namespace strata::coordinator {

class RequestCredentials : public registry::CredentialStore {
 public:
  // Remembers `auth` when it names a server and a user.
  void Accept(const v1::RegistryAuth& auth);

  Result<std::optional<registry::Credentials>> Get(const std::string& host) override;
  Status Put(const std::string& host, const registry::Credentials& credentials) override;
  Status Erase(const std::string& host) override;

 private:
  std::mutex mu_;
  std::map<std::string, registry::Credentials> by_host_;  // GUARDED_BY(mu_)
};

}  // namespace strata::coordinator
