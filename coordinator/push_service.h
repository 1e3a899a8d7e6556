#pragma once

// The coordinator side of `strata image push` and `build --push`
// (docs/protocol.md "Push"): PushImage(R) starts a push on its own thread,
// which streams PushProgress(R) through the Outbox and ends with one
// PushResult(R) or Error(R). Other requests are served meanwhile.
//
// Threads: HandleClient is called by the I/O thread only; pushes run on
// their own threads (each with a small upload pool, image_pusher.h).

#include <functional>
#include <string>

#include "cache/store.h"
#include "coordinator/client_service.h"
#include "coordinator/image_pusher.h"
#include "coordinator/outbox.h"
#include "coordinator/request_threads.h"
#include "protocol/registry.pb.h"
#include "registry/registry_client.h"

namespace strata::coordinator {

// Takes the credentials a request carried, before its push starts: the
// coordinator's in-memory credential store, which the RegistryClient reads.
using AcceptAuth = std::function<void(const v1::RegistryAuth& auth)>;

class PushService : public ClientService {
 public:
  // REQUIRES: `pusher`, `client` and `outbox` outlive the service.
  PushService(ImagePusher& pusher, registry::RegistryClient& client, AcceptAuth accept_auth,
              Outbox& outbox);
  // Waits for the running pushes (a push cannot be interrupted mid-upload).
  ~PushService() override;

  bool Handles(const protocol::Envelope& envelope) const override;
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope) override;
  bool busy() const override { return threads_.running() > 0; }

 private:
  void RunPush(const std::string& peer, uint64_t request_id, const v1::PushImage& request);

  ImagePusher& pusher_;
  registry::RegistryClient& client_;
  AcceptAuth accept_auth_;
  Outbox& outbox_;
  RequestThreads threads_;  // declared last: joined before the rest goes
};

}  // namespace strata::coordinator
