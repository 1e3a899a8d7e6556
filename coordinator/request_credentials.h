#pragma once

// The registry credentials clients sent with their requests (PullImage's
// and SubmitBuild's RegistryAuth), as the CredentialStore the coordinator's
// RegistryClient reads. Kept in memory only, per registry host, the latest
// a client sent winning; never written to disk or logged. A request that
// names a host without a user forgets that host's credentials: its client
// holds none (after `strata logout` the next request is anonymous, as with
// Docker, whose daemon keeps no credentials). One user per coordinator
// today: see docs/architecture.md "Tenancy".
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
  // Remembers `auth` when it names a server and a user; forgets the
  // server's credentials when it names a server and no user.
  void Accept(const v1::RegistryAuth& auth);

  Result<std::optional<registry::Credentials>> Get(const std::string& host) override;
  Status Put(const std::string& host, const registry::Credentials& credentials) override;
  Status Erase(const std::string& host) override;

 private:
  std::mutex mu_;
  std::map<std::string, registry::Credentials> by_host_;  // GUARDED_BY(mu_)
};

}  // namespace strata::coordinator
