#include "cli/coordinator_client.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/file_lock.h"
#include "common/file_util.h"
#include "common/logging.h"

namespace strata::cli {
namespace {

using namespace std::chrono_literals;

bool Ping(protocol::Connection& conn, std::chrono::milliseconds timeout) {
  protocol::Envelope ping = protocol::NewEnvelope(0);
  ping.mutable_ping();
  Result<protocol::Envelope> reply = conn.Call(ping, timeout);
  return reply.ok() && reply->has_pong();
}

// Starts strata-coordinator detached from this process (its own session,
// output to root/coordinator.log) and returns without waiting for it.
Status SpawnCoordinator(const CliContext& ctx, const std::string& endpoint) {
  std::string binary = ctx.bin_dir + "/strata-coordinator";
  if (::access(binary.c_str(), X_OK) != 0) {
    return Status::NotFound("cannot start a local coordinator: " + binary +
                            " is missing; build it, or point --host at a running coordinator");
  }
  std::string log = ctx.root + "/coordinator.log";
  std::string idle = std::to_string(kLocalIdleSeconds);
  if (const char* env = std::getenv("STRATA_LOCAL_IDLE_TIMEOUT")) idle = env;
  pid_t pid = fork();
  if (pid < 0) return Status::IOError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Double fork: the coordinator is reparented to init and never becomes
    // a zombie of this short-lived client.
    if (fork() != 0) _exit(0);
    setsid();
    int null_fd = ::open("/dev/null", O_RDONLY);
    int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (null_fd >= 0) dup2(null_fd, 0);
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    execl(binary.c_str(), binary.c_str(), "--root", ctx.root.c_str(), "--listen",
          endpoint.c_str(), "--idle-timeout", idle.c_str(), "--log-level", "info", "--local-worker",
          "true", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<CoordinatorClient>> CoordinatorClient::Connect(const CliContext& ctx) {
  std::unique_ptr<CoordinatorClient> client(new CoordinatorClient());
  client->context_ = std::make_unique<protocol::Context>();
  if (!ctx.host.empty()) {
    ASSIGN_OR_RETURN(client->connection_, protocol::Connection::Connect(*client->context_, ctx.host));
    if (!Ping(*client->connection_, 5s)) {
      return Status::Unavailable("no coordinator answers at " + ctx.host +
                                 ": check --host/STRATA_HOST and that strata-coordinator runs");
    }
    return client;
  }

  TRY(MakeDirs(ctx.root).Annotate("state directory (set --root or STRATA_ROOT)"));
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

Result<protocol::Envelope> CoordinatorClient::Call(protocol::Envelope request,
                                                   std::chrono::milliseconds timeout) {
  Result<protocol::Envelope> reply = connection_->Call(request, timeout);
  if (!reply.ok()) {
    if (reply.status().code() == StatusCode::kTimedOut) {
      return Status::TimedOut("the coordinator at " + connection_->endpoint() +
                              " did not answer in time");
    }
    return reply.status();
  }
  if (reply->has_error()) return protocol::StatusFromError(reply->error());
  return reply;
}

}  // namespace strata::cli
