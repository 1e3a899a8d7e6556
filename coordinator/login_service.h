#pragma once

// The coordinator side of `strata login` (docs/protocol.md "Login"): a
// CheckLogin asks the registry, on its own thread, whether it accepts the
// credentials the request carries, as Docker's daemon checks before its
// client stores them. Accepted credentials stay in the coordinator's
// in-memory store for the host (the client sends them again with every
// request anyway); refused ones leave it as it was.
//
// Threads: HandleClient is called by the I/O thread only; checks run on
// their own threads.

#include <string>

#include "coordinator/client_service.h"
#include "coordinator/outbox.h"
#include "coordinator/request_credentials.h"
#include "coordinator/request_threads.h"
#include "protocol/registry.pb.h"
#include "registry/registry_client.h"

namespace strata::coordinator {

class LoginService : public ClientService {
 public:
  // REQUIRES: all outlive the service; `client` reads `credentials`.
  LoginService(registry::RegistryClient& client, RequestCredentials& credentials, Outbox& outbox);
  ~LoginService() override;

  bool Handles(const protocol::Envelope& envelope) const override;
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope) override;
  bool busy() const override { return threads_.running() > 0; }

 private:
  void RunCheck(const std::string& peer, uint64_t request_id, const v1::CheckLogin& request);

  registry::RegistryClient& client_;
  RequestCredentials& credentials_;
  Outbox& outbox_;
  RequestThreads threads_;  // declared last: joined before the rest goes
};

}  // namespace strata::coordinator
