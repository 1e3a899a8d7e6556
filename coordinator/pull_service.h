#pragma once

// The coordinator side of `strata pull` (docs/protocol.md "Pull"): each
// PullImage runs on its own thread, so a download never holds up the I/O
// thread; its PullProgress and PullResult go back through the Outbox.
//
// Threads: Handle is called by the I/O thread only; pulls run on their own
// threads.

#include <string>

#include "coordinator/image_puller.h"
#include "coordinator/outbox.h"
#include "coordinator/request_credentials.h"
#include "coordinator/request_threads.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

class PullService {
 public:
  // REQUIRES: all outlive the service.
  PullService(ImagePuller& puller, registry::RegistryClient& client,
              RequestCredentials& credentials, Outbox& outbox);
  // Joins the pulls still running.
  ~PullService();

  static bool HandlesClientMessage(const protocol::Envelope& envelope);
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope);

  // Pulls running: while non-zero the coordinator is not idle.
  int running() const { return threads_.running(); }

 private:
  void RunPull(const std::string& peer, uint64_t request_id, const v1::PullImage& request);

  ImagePuller& puller_;
  registry::RegistryClient& client_;
  RequestCredentials& credentials_;
  Outbox& outbox_;
  RequestThreads threads_;  // declared last: joined before the rest goes
};

}  // namespace strata::coordinator
