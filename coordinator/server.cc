#include "coordinator/server.h"

#include <utility>
#include <vector>

#include "common/logging.h"

namespace strata::coordinator {
namespace {

// Messages read from one listener before looking at the others again.
constexpr int kBatch = 64;

}  // namespace

Server::Server(protocol::Listener& clients, RpcHandler& handler, Clock& clock,
               ServerOptions options)
    : clients_(clients),
      handler_(handler),
      clock_(clock),
      options_(options),
      waker_(protocol::Waker::Create()) {}

void Server::Send(Endpoint endpoint, std::string peer, protocol::Envelope envelope) {
  {
    MutexLock lock(outbox_mu_);
    outbox_.push_back({endpoint, std::move(peer), std::move(envelope)});
  }
  if (waker_.ok()) (*waker_)->Wake();
}

void Server::Flush() {
  std::deque<Outgoing> batch;
  {
    MutexLock lock(outbox_mu_);
    batch.swap(outbox_);
  }
  for (Outgoing& out : batch) {
    protocol::Listener* listener = out.endpoint == Endpoint::kClient ? &clients_ : workers_;
    if (listener == nullptr) continue;
    Status s = listener->Reply(out.peer, out.envelope);
    if (s.ok()) continue;
    if (out.endpoint == Endpoint::kClient && s.code() == StatusCode::kNotFound &&
        builds_ != nullptr) {
      builds_->OnClientGone(out.peer);  // its builds stop
      continue;
    }
    LOG(WARN) << s.ToString();
  }
}

bool Server::Busy() const {
  for (const ClientService* service : services_) {
    if (service->busy()) return true;
  }
  return (builds_ != nullptr && builds_->running_builds() > 0) ||
         (pulls_ != nullptr && pulls_->running() > 0) ||
         (pool_ != nullptr && pool_->outstanding_jobs() > 0);
}

void Server::HandleClient(protocol::Incoming incoming) {
  if (builds_ != nullptr && BuildService::HandlesClientMessage(incoming.envelope)) {
    builds_->HandleClient(incoming.peer, incoming.envelope);
    return;
  }
  if (pulls_ != nullptr && PullService::HandlesClientMessage(incoming.envelope)) {
    pulls_->HandleClient(incoming.peer, incoming.envelope);
    return;
  }
  for (ClientService* service : services_) {
    if (service->Handles(incoming.envelope)) {
      service->HandleClient(incoming.peer, incoming.envelope);
      return;
    }
  }
  for (const protocol::Envelope& reply : handler_.Handle(incoming.envelope)) {
    Status s = clients_.Reply(incoming.peer, reply);
    if (!s.ok())
      LOG(WARN) << "reply to " << protocol::PeerName(incoming.peer) << ": " << s.ToString();
  }
}

Status Server::Run() {
  if (!waker_.ok()) return waker_.status().Annotate("coordinator I/O thread");
  std::vector<protocol::Listener*> listeners = {&clients_};
  if (workers_ != nullptr) listeners.push_back(workers_);
  protocol::Poller poller(listeners, waker_->get());
  const int64_t idle_nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.idle_timeout).count();
  int64_t last_request = clock_.NowMonotonicNanos();
  for (;;) {
    ASSIGN_OR_RETURN(protocol::Poller::Ready ready, poller.Wait(options_.poll_interval));
    for (size_t index : ready.listeners) {
      for (int i = 0; i < kBatch; ++i) {
        ASSIGN_OR_RETURN(std::optional<protocol::Incoming> incoming,
                         listeners[index]->Poll(std::chrono::milliseconds(0)));
        if (!incoming) break;
        if (index == 0) {
          HandleClient(std::move(*incoming));
          // Measured after the work, so a long request does not count as idle time.
          last_request = clock_.NowMonotonicNanos();
        } else {
          builds_->HandleWorker(incoming->peer, incoming->envelope);
        }
        if (handler_.shutdown_requested()) break;
      }
    }
    if (pool_ != nullptr) pool_->Tick();
    if (builds_ != nullptr) builds_->Tick();
    Flush();
    if (handler_.shutdown_requested() || stop_requested_) {
      LOG(INFO) << (stop_requested_ ? "stop signal" : "shutdown requested") << ": exiting";
      return Status::OK();
    }
    if (Busy()) {
      last_request = clock_.NowMonotonicNanos();  // idle time starts when the work ends
    } else if (idle_nanos > 0 && clock_.NowMonotonicNanos() - last_request >= idle_nanos) {
      LOG(INFO) << "idle for " << options_.idle_timeout.count() << " ms: exiting";
      return Status::OK();
    }
  }
}

}  // namespace strata::coordinator
