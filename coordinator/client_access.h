#pragma once

// Who may drive the coordinator, and as whom (docs/tenancy.md).
//
// - A request on an ipc:// endpoint comes from the coordinator's own user
//   (the socket is mode 0600 and libzmq checks the peer's uid): without a
//   token it is the local admin of namespace "default".
// - On a tcp:// endpoint a request needs a token the tokens file lists, or
//   comes from a CurveZMQ key the file lists; anything else is refused
//   with a PermissionDenied that says what to do. `--no-auth` opens TCP
//   to anyone as the admin of "default" (loopback tests, trusted networks).
// - The worker endpoint takes only grants of role worker.
//
// The tokens file is read at start and again after RequestReload (SIGHUP);
// a file that no longer parses keeps the table in force and is logged.
// Thread-safe: the I/O thread identifies, the ZAP handler admits keys.

#include <atomic>
#include <string>

#include "common/mutex.h"
#include "common/result.h"
#include "coordinator/caller.h"
#include "coordinator/token_table.h"
#include "protocol/envelope.h"
#include "protocol/listener.h"

namespace strata::coordinator {

struct ClientAccessOptions {
  std::string tokens_path;  // empty: no tokens file
  bool no_auth = false;     // --no-auth: TCP without tokens, as the admin of "default"
};

class ClientAccess {
 public:
  // Reads the tokens file (InvalidArgument naming its bad line).
  static Result<std::unique_ptr<ClientAccess>> Open(ClientAccessOptions options);
  // Everyone is the local admin: the embedded coordinator, tests.
  ClientAccess() = default;

  // Who sent `incoming` on the client endpoint; `tcp` when that endpoint
  // is tcp://. PermissionDenied, saying what to do, when nobody may.
  Result<Caller> IdentifyClient(const protocol::Incoming& incoming, bool tcp) EXCLUDES(mu_);
  // Who sent `incoming` on the worker endpoint: a grant of role worker.
  Result<Caller> IdentifyWorker(const protocol::Incoming& incoming, bool tcp) EXCLUDES(mu_);
  // For the ZAP handler: whether a CurveZMQ client with this key may
  // connect. With curve: lines in the tokens file only those keys may;
  // without, any client that knows the server's public key may (its token
  // then decides what it may do).
  bool AdmitCurveKey(const std::string& key) EXCLUDES(mu_);

  // Reads the tokens file again at the next request. Async-signal-safe.
  void RequestReload() { reload_requested_ = true; }

 private:
  explicit ClientAccess(ClientAccessOptions options) : options_(std::move(options)) {}
  Result<Caller> Identify(const protocol::Incoming& incoming, bool tcp, bool worker_endpoint)
      EXCLUDES(mu_);
  void ReloadIfAsked() EXCLUDES(mu_);

  ClientAccessOptions options_;
  std::atomic<bool> reload_requested_{false};
  Mutex mu_;
  TokenTable table_ GUARDED_BY(mu_);
};

// Whether `caller` may make `request` (roles and paths; namespaces are the
// services' to apply). PermissionDenied saying why and what to do.
Status Authorize(const Caller& caller, const protocol::Envelope& request);

}  // namespace strata::coordinator
