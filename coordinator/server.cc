#include "coordinator/server.h"

#include <utility>
#include <vector>

#include "common/log_limiter.h"
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

protocol::ListenerOptions Server::ListenerOptionsForServer() {
  protocol::ListenerOptions options;
  options.send_timeout = std::chrono::milliseconds(0);
  return options;
}

void Server::OnSendFailed(Endpoint endpoint, const std::string& peer, const Status& status) {
  // Gone (NotFound), or reads nothing (its backlog overflowed).
  const bool lost = status.IsNotFound() || status.code() == StatusCode::kUnavailable;
  if (endpoint == Endpoint::kClient && lost) {
    if (!status.IsNotFound()) LOG(WARN) << status.ToString() << "; cancelling its requests";
    if (builds_ != nullptr) builds_->OnClientGone(peer);  // its builds stop
    for (ClientService* service : services_) service->OnClientGone(peer);
    return;
  }
  LOG(WARN) << status.ToString();
}

void Server::SendOrKeep(Endpoint endpoint, const std::string& peer, protocol::Envelope envelope) {
  protocol::Listener* listener = endpoint == Endpoint::kClient ? &clients_ : workers_;
  if (listener == nullptr) return;
  PeerKey key{endpoint, peer};
  auto kept = backlogs_.find(key);
  if (kept == backlogs_.end()) {
    Status s = listener->Reply(peer, envelope);
    if (s.ok()) return;
    if (s.code() != StatusCode::kUnavailable) return OnSendFailed(endpoint, peer, s);
    kept = backlogs_.try_emplace(key).first;  // its queue is full: wait for it
    LOG(DEBUG) << "peer " << protocol::PeerName(peer) << " reads slowly: keeping its messages";
  }
  Backlog& backlog = kept->second;
  backlog.bytes += envelope.ByteSizeLong();
  backlog.envelopes.push_back(std::move(envelope));
  if (backlog.bytes > kMaxBacklogBytes) {
    backlogs_.erase(kept);
    OnSendFailed(endpoint, peer,
                 Status::Unavailable("peer " + protocol::PeerName(peer) + " read nothing of " +
                                     std::to_string(kMaxBacklogBytes >> 20) +
                                     " MiB sent to it: dropped its messages"));
  }
}

void Server::RetryBacklogs() {
  for (auto it = backlogs_.begin(); it != backlogs_.end();) {
    const auto& [endpoint, peer] = it->first;
    protocol::Listener* listener = endpoint == Endpoint::kClient ? &clients_ : workers_;
    Backlog& backlog = it->second;
    Status s = Status::OK();
    while (!backlog.envelopes.empty()) {
      s = listener->Reply(peer, backlog.envelopes.front());
      if (!s.ok()) break;
      backlog.bytes -= backlog.envelopes.front().ByteSizeLong();
      backlog.envelopes.pop_front();
    }
    if (s.ok() || s.code() != StatusCode::kUnavailable) {
      PeerKey key = it->first;
      it = backlogs_.erase(it);
      if (!s.ok()) OnSendFailed(key.first, key.second, s);
    } else {
      ++it;
    }
  }
}

void Server::Flush() {
  std::deque<Outgoing> batch;
  {
    MutexLock lock(outbox_mu_);
    batch.swap(outbox_);
  }
  RetryBacklogs();
  for (Outgoing& out : batch) SendOrKeep(out.endpoint, out.peer, std::move(out.envelope));
}

bool Server::Busy() const {
  for (const ClientService* service : services_) {
    if (service->busy()) return true;
  }
  return (builds_ != nullptr && builds_->running_builds() > 0) ||
         (pulls_ != nullptr && pulls_->running() > 0) ||
         (pool_ != nullptr && pool_->outstanding_jobs() > 0);
}

namespace {

bool IsTcp(const protocol::Listener& listener) { return listener.endpoint().starts_with("tcp://"); }

}  // namespace

void Server::HandleClient(protocol::Incoming incoming) {
  Caller caller;
  if (access_ != nullptr) {
    Result<Caller> identified = access_->IdentifyClient(incoming, IsTcp(clients_));
    Status allowed = identified.ok() ? Authorize(*identified, incoming.envelope)
                                     : identified.status();
    if (!allowed.ok()) {
      LOG_LIMITED(WARN) << "refused " << protocol::BodyName(incoming.envelope) << " from "
                        << protocol::PeerName(incoming.peer)
                        << (identified.ok() ? " (" + identified->name + ")" : "") << ": "
                        << allowed.message();
      SendOrKeep(Endpoint::kClient, incoming.peer,
                 protocol::ErrorReply(incoming.envelope.request_id(), allowed));
      return;
    }
    caller = std::move(identified).value();
  }
  if (builds_ != nullptr && BuildService::HandlesClientMessage(incoming.envelope)) {
    builds_->HandleClient(caller, incoming.peer, incoming.envelope);
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
  for (protocol::Envelope& reply : handler_.Handle(incoming.envelope)) {
    SendOrKeep(Endpoint::kClient, incoming.peer, std::move(reply));
  }
}

void Server::HandleWorker(protocol::Incoming incoming) {
  if (access_ != nullptr) {
    Result<Caller> identified = access_->IdentifyWorker(incoming, IsTcp(*workers_));
    if (!identified.ok()) {
      LOG_LIMITED(WARN) << "refused " << protocol::BodyName(incoming.envelope)
                        << " on the worker endpoint from " << protocol::PeerName(incoming.peer)
                        << ": " << identified.status().message();
      SendOrKeep(Endpoint::kWorker, incoming.peer,
                 protocol::ErrorReply(incoming.envelope.request_id(), identified.status()));
      return;
    }
  }
  builds_->HandleWorker(incoming.peer, incoming.envelope);
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
          HandleWorker(std::move(*incoming));
        }
        if (handler_.shutdown_requested()) break;
      }
    }
    if (pool_ != nullptr) pool_->Tick();
    if (builds_ != nullptr) builds_->Tick();
    for (ClientService* service : services_) service->Tick();
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
