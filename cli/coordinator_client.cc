#include "cli/coordinator_client.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "common/file_lock.h"
#include "common/logging.h"
#include "common/private_dir.h"
#include "cli/host_tokens.h"
#include "protocol/security.h"

namespace strata::cli {
namespace {

using namespace std::chrono_literals;

// OK when a Pong came; the coordinator's refusal (a token it does not
// take) as it said it; TimedOut when nothing came.
Status PingStatus(protocol::Connection& conn, std::chrono::milliseconds timeout) {
  protocol::Envelope ping = protocol::NewEnvelope(0);
  ping.mutable_ping();
  Result<protocol::Envelope> reply = conn.Call(ping, timeout);
  if (!reply.ok()) return reply.status();
  if (reply->has_error()) return protocol::StatusFromError(reply->error());
  if (!reply->has_pong()) return Status::Internal("a Ping answered with no Pong");
  return Status::OK();
}

bool Ping(protocol::Connection& conn, std::chrono::milliseconds timeout) {
  return PingStatus(conn, timeout).ok();
}

// How to reach ctx.host: the token and the CurveZMQ keys.
Result<protocol::ConnectionOptions> RemoteOptions(const CliContext& ctx) {
  protocol::ConnectionOptions options;
  options.token = ctx.token;
  if (options.token.empty()) {
    ASSIGN_OR_RETURN(std::optional<std::string> saved, SavedToken(ctx.root, ctx.host));
    if (saved) options.token = *saved;
  }
  if (!ctx.curve_server_key.empty()) {
    ASSIGN_OR_RETURN(options.security.server_public,
                     protocol::ReadCurveKeyFile(ctx.curve_server_key));
  }
  if (!ctx.curve_secret_key.empty()) {
    if (ctx.curve_server_key.empty()) {
      return Status::InvalidArgument(
          "--curve-secret-key needs --curve-server-key (the coordinator's public key)");
    }
    ASSIGN_OR_RETURN(options.security.client_secret,
                     protocol::ReadCurveKeyFile(ctx.curve_secret_key));
    ASSIGN_OR_RETURN(options.security.client_public,
                     protocol::CurvePublicKeyOf(options.security.client_secret));
  }
  return options;
}

// Starts strata-coordinator detached from this process (its own session,
// output to root/coordinator.log) and returns without waiting for it.
Status SpawnCoordinator(const CliContext& ctx, const std::string& endpoint) {
  std::string binary = ctx.bin_dir + "/strata-coordinator";
  if (::access(binary.c_str(), X_OK) != 0) {
    return Status::NotFound("cannot start a local coordinator: " + binary +
                            " is missing; build it, or point --host at a running coordinator");
  }
  ASSIGN_OR_RETURN(int log_fd, OpenPrivateLogFile(ctx.root + "/coordinator.log"));
  std::string idle = std::to_string(kLocalIdleSeconds);
  if (const char* env = std::getenv("STRATA_LOCAL_IDLE_TIMEOUT")) idle = env;
  pid_t pid = fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::IOError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Double fork: the coordinator is reparented to init and never becomes
    // a zombie of this short-lived client.
    if (fork() != 0) _exit(0);
    setsid();
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    dup2(log_fd, 1);  // dup2 clears O_CLOEXEC on the copies
    dup2(log_fd, 2);
    // Nothing else of the client's goes with the daemon: an inherited
    // descriptor (a lock a calling script holds, a pipe) would stay held for
    // the coordinator's whole life.
    ::close_range(3, ~0U, 0);
    execl(binary.c_str(), binary.c_str(), "--root", ctx.root.c_str(), "--listen", endpoint.c_str(),
          "--idle-timeout", idle.c_str(), "--log-level", "info", "--local-worker", "true",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(log_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Connect(const CliContext& ctx) {
  std::unique_ptr<CoordinatorClient> client(new CoordinatorClient());
  client->context_ = std::make_unique<protocol::Context>();
  if (!ctx.host.empty()) {
    ASSIGN_OR_RETURN(protocol::ConnectionOptions options, RemoteOptions(ctx));
    const bool curve = !options.security.server_public.empty();
    ASSIGN_OR_RETURN(client->connection_,
                     protocol::Connection::Connect(*client->context_, ctx.host, options));
    Status pinged = PingStatus(*client->connection_, 5s);
    if (pinged.code() == StatusCode::kPermissionDenied) {
      return pinged.Annotate("the coordinator at " + ctx.host + " refused us");
    }
    if (!pinged.ok()) {
      return Status::Unavailable(
          "no coordinator answers at " + ctx.host +
          (curve ? ": check --host/STRATA_HOST, that strata-coordinator runs, and that "
                   "--curve-server-key is its public key (and, when it admits listed keys "
                   "only, that --curve-secret-key is one it lists)"
                 : ": check --host/STRATA_HOST and that strata-coordinator runs (a coordinator "
                   "with CurveZMQ needs --curve-server-key)"));
    }
    return client;
  }

  client->root_ = ctx.root;
  TRY(EnsurePrivateDir(ctx.root).Annotate("state directory (set --root or STRATA_ROOT)"));
  const std::string endpoint = "ipc://" + ctx.root + "/coordinator.sock";
  ASSIGN_OR_RETURN(client->connection_, protocol::Connection::Connect(*client->context_, endpoint));
  // A running coordinator holds root/coordinator.lock: probe it first, so
  // that no time is spent pinging nobody.
  bool running = !FileLock::Acquire(ctx.root + "/coordinator.lock", FileLock::Mode::kTry).ok();
  if (running && Ping(*client->connection_, 5s)) return client;

  // None answers: one client at a time starts one; the others wait on the
  // spawn lock and then find it running.
  ASSIGN_OR_RETURN(FileLock spawn_lock,
                   FileLock::Acquire(ctx.root + "/spawn.lock", FileLock::Mode::kWait));
  if (FileLock::Acquire(ctx.root + "/coordinator.lock", FileLock::Mode::kTry).ok()) {
    LOG(INFO) << "starting a local coordinator for " << ctx.root;
    TRY(SpawnCoordinator(ctx, endpoint));
  }
  for (int attempt = 0; attempt < 100; ++attempt) {  // about 10 s
    // A fresh connection each time: the socket file may appear late.
    ASSIGN_OR_RETURN(client->connection_,
                     protocol::Connection::Connect(*client->context_, endpoint));
    if (Ping(*client->connection_, 100ms)) return client;
  }
  return Status::Unavailable("the local coordinator did not start; see " + ctx.root +
                             "/coordinator.log");
}

bool CoordinatorClient::KnownGone() const {
  if (root_.empty()) return false;
  // The coordinator holds the lock for its whole life; the kernel drops it
  // when the process ends, however it ends.
  return FileLock::Acquire(root_ + "/coordinator.lock", FileLock::Mode::kTry).ok();
}

Result<protocol::Envelope> CoordinatorClient::Call(protocol::Envelope request,
                                                   std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  if (request.request_id() == 0) request.set_request_id(connection_->NextRequestId());
  TRY(connection_->Send(request));
  const Clock::time_point deadline = Clock::now() + timeout;
  constexpr std::chrono::milliseconds kSlice{1000};
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= std::chrono::milliseconds::zero()) {
      return Status::TimedOut("the coordinator at " + connection_->endpoint() +
                              " did not answer in time");
    }
    Result<protocol::Envelope> reply = connection_->Receive(std::min(left, kSlice));
    if (reply.ok()) {
      if (reply->request_id() != request.request_id()) continue;  // an earlier request's
      if (reply->has_error()) return protocol::StatusFromError(reply->error());
      return reply;
    }
    if (reply.status().code() != StatusCode::kTimedOut) return reply.status();
    if (KnownGone()) {
      return Status::Unavailable(
          "the local coordinator stopped while serving this request (it "
          "exited or was killed); see " +
          root_ + "/coordinator.log, then run the command again");
    }
  }
}

}  // namespace strata::cli
