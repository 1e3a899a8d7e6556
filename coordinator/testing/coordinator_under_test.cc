#include "coordinator/testing/coordinator_under_test.h"

#include <chrono>

#include "protocol/connection.h"

namespace strata::coordinator::testing {

CoordinatorUnderTest::CoordinatorUnderTest(const std::string& dir, Clock& clock,
                                           const std::string& clients_endpoint,
                                           const std::string& workers_endpoint) {
  auto set_up = [&]() -> Status {
    ASSIGN_OR_RETURN(store_, cache::Store::Open(dir + "/store"));
    ASSIGN_OR_RETURN(clients_, protocol::Listener::Bind(context_, clients_endpoint,
                                                        Server::ListenerOptionsForServer()));
    images_ = std::make_unique<ImageService>(*store_, clock, dir);
    handler_ = std::make_unique<RpcHandler>(*images_);
    server_ = std::make_unique<Server>(
        *clients_, *handler_, clock,
        ServerOptions{std::chrono::milliseconds(0), std::chrono::milliseconds(20)});
    if (workers_endpoint.empty()) return Status::OK();
    ASSIGN_OR_RETURN(workers_, protocol::Listener::Bind(context_, workers_endpoint,
                                                        Server::ListenerOptionsForServer()));
    sender_ = std::make_unique<OutboxJobSender>(*server_);
    pool_ = std::make_unique<WorkerPool>(clock, *sender_);
    builds_ = std::make_unique<BuildService>(*store_, *pool_, clock, *server_);
    server_->AttachBuilds(*workers_, *builds_, *pool_);
    return Status::OK();
  };
  status_ = set_up();
}

CoordinatorUnderTest::~CoordinatorUnderTest() {
  if (thread_.joinable()) Stop().PermitUncheckedError();
}

void CoordinatorUnderTest::Run() {
  thread_ = std::thread([this] { served_ = server_->Run(); });
}

Status CoordinatorUnderTest::Stop() {
  if (!thread_.joinable()) return status_;
  ASSIGN_OR_RETURN(std::unique_ptr<protocol::Connection> client,
                   protocol::Connection::Connect(context_, clients_->endpoint()));
  protocol::Envelope shutdown = protocol::NewEnvelope(client->NextRequestId());
  shutdown.mutable_shutdown();
  Result<protocol::Envelope> acked = client->Call(shutdown, std::chrono::milliseconds(5000));
  if (!acked.ok()) server_->RequestStop();
  thread_.join();
  builds_.reset();  // its build threads end before the store goes
  TRY(acked.status());
  return served_;
}

}  // namespace strata::coordinator::testing
