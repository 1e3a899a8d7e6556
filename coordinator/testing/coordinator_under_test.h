#pragma once

// A coordinator for tests that talk to it over real sockets: a Store in a
// directory, ImageService, RpcHandler and Server with listeners bound as
// the coordinator binds them, and with a worker endpoint the WorkerPool
// and BuildService too. Attach services to server() before Run(); Stop()
// asks it to shut down as a client would and returns what Run returned.

#include <memory>
#include <string>
#include <thread>

#include "cache/store.h"
#include "common/clock.h"
#include "coordinator/build_service.h"
#include "coordinator/image_service.h"
#include "coordinator/outbox_job_sender.h"
#include "coordinator/rpc_handler.h"
#include "coordinator/server.h"
#include "coordinator/worker_pool.h"
#include "protocol/context.h"
#include "protocol/listener.h"

namespace strata::coordinator::testing {

class CoordinatorUnderTest {
 public:
  // `dir` exists and outlives this; `workers_endpoint` "" = images only.
  CoordinatorUnderTest(const std::string& dir, Clock& clock, const std::string& clients_endpoint,
                       const std::string& workers_endpoint = "");
  ~CoordinatorUnderTest();

  // Whether the set-up worked (store opened, endpoints bound).
  const Status& status() const { return status_; }

  protocol::Context& context() { return context_; }
  protocol::Listener& clients() { return *clients_; }
  protocol::Listener& workers() { return *workers_; }
  ImageService& images() { return *images_; }
  Server& server() { return *server_; }
  WorkerPool& pool() { return *pool_; }  // REQUIRES: a worker endpoint
  BuildService& builds() { return *builds_; }

  // Serves on a thread of its own.
  void Run();
  // Sends Shutdown, waits for the server; Run's status.
  Status Stop();

 private:
  Status status_;
  protocol::Context context_;
  std::unique_ptr<cache::Store> store_;
  std::unique_ptr<protocol::Listener> clients_, workers_;
  std::unique_ptr<ImageService> images_;
  std::unique_ptr<RpcHandler> handler_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<OutboxJobSender> sender_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<BuildService> builds_;
  std::thread thread_;
  Status served_;
};

}  // namespace strata::coordinator::testing
