#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "coordinator/build_service.h"
#include "coordinator/client_access.h"
#include "coordinator/client_service.h"
#include "coordinator/outbox.h"
#include "coordinator/pull_service.h"
#include "coordinator/rpc_handler.h"
#include "coordinator/worker_pool.h"
#include "protocol/listener.h"
#include "protocol/poller.h"

namespace strata::coordinator {

struct ServerOptions {
  // Exit after this long without a client request while no build runs and
  // no job is out; zero serves forever.
  std::chrono::milliseconds idle_timeout{0};
  // Longest wait for traffic; the worker pool's clock ticks at least this often.
  std::chrono::milliseconds poll_interval{200};
};

// The coordinator's I/O thread: owns the client Listener and, with builds
// attached, the worker Listener; waits on both and on a Waker, hands each
// envelope to its handler (image requests to the RpcHandler, build and
// blob messages to the BuildService, pulls to the PullService, everything
// of the worker endpoint to the BuildService too) and sends what other threads queued in the
// Outbox. Runs on the calling thread until a Shutdown request, the idle timeout, or a failing
// socket.
//
// Sends never wait on a slow peer: the listeners are bound with a send
// timeout of 0 (kListenerOptions), and a message a peer's full queue
// refuses waits in that peer's backlog, sent in order before anything
// newer for it at the next Flush. A backlog over kMaxBacklogBytes means a
// peer that reads nothing: it is dropped (a client's builds are
// cancelled, as for one that went away).
//
// Send (the Outbox) is thread-safe; everything else belongs to the thread
// that calls Run.
class Server : public Outbox {
 public:
  // How the coordinator binds its listeners: sends that never block.
  static protocol::ListenerOptions ListenerOptionsForServer();
  static constexpr size_t kMaxBacklogBytes = 64 << 20;

  Server(protocol::Listener& clients, RpcHandler& handler, Clock& clock, ServerOptions options);

  // Serves builds and the worker endpoint too. REQUIRES: before Run; all
  // three outlive the Server.
  void AttachBuilds(protocol::Listener& workers, BuildService& builds, WorkerPool& pool) {
    workers_ = &workers;
    builds_ = &builds;
    pool_ = &pool;
  }

  // Who may send what (docs/tenancy.md): every client and worker message
  // is identified by `access` first and refused when it may not be sent.
  // Without it every peer is the local admin. REQUIRES: before Run;
  // `access` outlives the Server.
  void AttachAccess(ClientAccess& access) { access_ = &access; }

  // Serves PullImage on the pull service's threads. REQUIRES: before Run;
  // `pulls` outlives the Server.
  void AttachPulls(PullService& pulls) { pulls_ = &pulls; }
  // Hands the client requests `service` claims to it (pushes). REQUIRES:
  // before Run; `service` outlives the Server.
  void AttachService(ClientService& service) { services_.push_back(&service); }

  // OK after a Shutdown request or the idle timeout.
  Status Run();

  void Send(Endpoint endpoint, std::string peer, protocol::Envelope envelope)
      EXCLUDES(outbox_mu_) override;

  // Makes Run return OK soon, as a Shutdown request does. Thread-safe and
  // async-signal-safe (a SIGTERM handler may call it).
  void RequestStop() {
    stop_requested_ = true;
    if (waker_.ok()) (*waker_)->Wake();
  }

 private:
  struct Outgoing {
    Endpoint endpoint;
    std::string peer;
    protocol::Envelope envelope;
  };
  using PeerKey = std::pair<Endpoint, std::string>;
  struct Backlog {
    std::deque<protocol::Envelope> envelopes;
    size_t bytes = 0;
  };
  void HandleClient(protocol::Incoming incoming);
  void HandleWorker(protocol::Incoming incoming);
  void Flush() EXCLUDES(outbox_mu_);
  // Sends `envelope` now, or keeps it in its peer's backlog.
  void SendOrKeep(Endpoint endpoint, const std::string& peer, protocol::Envelope envelope);
  // Sends what the backlogs hold, oldest first, while the peers take it.
  void RetryBacklogs();
  // A send failed for good (the peer is gone, or its backlog overflowed).
  void OnSendFailed(Endpoint endpoint, const std::string& peer, const Status& status);
  bool Busy() const;

  protocol::Listener& clients_;
  RpcHandler& handler_;
  Clock& clock_;
  ServerOptions options_;
  protocol::Listener* workers_ = nullptr;
  BuildService* builds_ = nullptr;
  WorkerPool* pool_ = nullptr;
  PullService* pulls_ = nullptr;
  std::vector<ClientService*> services_;
  ClientAccess* access_ = nullptr;
  Result<std::unique_ptr<protocol::Waker>> waker_;
  std::atomic<bool> stop_requested_{false};

  Mutex outbox_mu_;
  std::deque<Outgoing> outbox_ GUARDED_BY(outbox_mu_);
  std::map<PeerKey, Backlog> backlogs_;  // the I/O thread's
};

}  // namespace strata::coordinator
