// strata-coordinator: owns the image store and serves `strata` clients.
// Started by hand for a cluster, or by `strata` itself (embedded default) on
// a unix socket in the state directory, exiting after an idle period.

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cache/store.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/file_lock.h"
#include "common/logging.h"
#include "common/options.h"
#include "common/private_dir.h"
#include "coordinator/archive_stream_service.h"
#include "coordinator/build_service.h"
#include "coordinator/cluster_info_service.h"
#include "metrics/http_endpoint.h"
#include "coordinator/metrics_service.h"
#include "coordinator/image_file_service.h"
#include "coordinator/image_service.h"
#include "coordinator/image_puller.h"
#include "coordinator/image_pusher.h"
#include "coordinator/local_worker.h"
#include "coordinator/login_service.h"
#include "coordinator/outbox_job_sender.h"
#include "coordinator/pull_service.h"
#include "coordinator/push_service.h"
#include "coordinator/request_credentials.h"
#include "coordinator/rpc_handler.h"
#include "coordinator/server.h"
#include "coordinator/store_push_recorder.h"
#include "coordinator/worker_pool.h"
#include "protocol/context.h"
#include "protocol/listener.h"
#include "protocol/security.h"
#include "protocol/zap_handler.h"
#include "coordinator/client_access.h"
#include "registry/registry_client.h"

namespace {

strata::coordinator::Server* g_server = nullptr;
strata::coordinator::ClientAccess* g_access = nullptr;

void OnStopSignal(int) {
  if (g_server != nullptr) g_server->RequestStop();
}

void OnReloadSignal(int) {
  if (g_access != nullptr) g_access->RequestReload();
}

bool IsTcpEndpoint(const std::string& endpoint) { return endpoint.rfind("tcp://", 0) == 0; }

int Fail(const std::string& what, const strata::Status& s) {
  LOG(ERROR) << what << ": " << s.message();
  std::cerr << "strata-coordinator: " << what << ": " << s.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root, listen, worker_listen, local_worker, idle, log_level, config, insecure,
      job_timeout, metrics_listen, tokens, no_auth, curve_secret_key;
  CLI::App app("strata-coordinator: the image store and build scheduler", "strata-coordinator");
  strata::AddOptionTable(
      app,
      {
          {"--root", "STRATA_ROOT", "/var/lib/strata", "state directory (store, socket, lock)",
           &root},
          {"--listen", "STRATA_LISTEN", "",
           "client endpoint: ipc://PATH or tcp://HOST:PORT (default ipc://ROOT/coordinator.sock)",
           &listen},
          {"--workers,--worker-listen", "STRATA_WORKER_LISTEN", "",
           "worker endpoint: ipc://PATH or tcp://HOST:PORT (default ipc://ROOT/worker.sock)",
           &worker_listen},
          {"--local-worker", "STRATA_LOCAL_WORKER", "false",
           "run a strata-worker beside the coordinator (local mode): true or false", &local_worker},
          {"--idle-timeout", "STRATA_IDLE_TIMEOUT", "0",
           "exit after this many seconds without a request (0: never)", &idle},
          {"--log-level", "STRATA_LOG_LEVEL", "info", "debug, info, warn or error", &log_level},
          {"--metrics-listen", "STRATA_METRICS_LISTEN", "",
           "serve /metrics (Prometheus) and /healthz over HTTP on HOST:PORT, e.g. 127.0.0.1:9700 "
           "(empty: off)",
           &metrics_listen},
          {"--job-timeout", "STRATA_JOB_TIMEOUT", "0",
           "stop a build step that runs longer than this on its worker, e.g. 2h (0: never)",
           &job_timeout},
          {"--tokens", "STRATA_TOKENS", "",
           "tokens file: who may connect over TCP, in which namespace and role "
           "(docs/tenancy.md; reloaded on SIGHUP)",
           &tokens},
          {"--no-auth", "STRATA_NO_AUTH", "false",
           "serve tcp:// endpoints without tokens, everyone the admin of namespace default "
           "(trusted networks and tests only): true or false",
           &no_auth},
          {"--curve-secret-key", "STRATA_CURVE_SECRET_KEY", "",
           "file with this coordinator's CurveZMQ secret key ('strata system keygen'): "
           "encrypts every tcp:// endpoint",
           &curve_secret_key},
          {"--insecure-registry", "STRATA_INSECURE_REGISTRIES", "",
           "registries spoken to over plain HTTP, comma-separated HOST:PORT (127.0.0.0/8 and "
           "localhost always are)",
           &insecure},
      });
  strata::AddConfigFileOption(app, &config);
  if (std::optional<int> rc = strata::ParseCommandLine(app, argc, argv)) return *rc;

  strata::LogLevel level;
  if (!strata::ParseLogLevel(log_level, &level)) {
    std::cerr << "strata-coordinator: unknown --log-level '" << log_level << "'\n";
    return 2;
  }
  strata::SetLogLevel(level);
  char* end = nullptr;
  double idle_seconds = std::strtod(idle.c_str(), &end);
  if (end == idle.c_str() || *end != '\0' || idle_seconds < 0) {
    std::cerr << "strata-coordinator: --idle-timeout '" << idle
              << "' is not a number of seconds (e.g. 300, or 0 for never)\n";
    return 2;
  }
  std::optional<int64_t> job_timeout_nanos = strata::ParseGoDuration(job_timeout);
  if (!job_timeout_nanos) {
    std::cerr << "strata-coordinator: --job-timeout '" << job_timeout
              << "' is not a duration (e.g. 30m, 2h, or 0 for none)\n";
    return 2;
  }
  if (listen.empty()) listen = "ipc://" + root + "/coordinator.sock";
  if (worker_listen.empty()) worker_listen = "ipc://" + root + "/worker.sock";
  bool want_local_worker = local_worker == "true" || local_worker == "1" || local_worker == "yes";
  if (!want_local_worker && local_worker != "false" && local_worker != "0" &&
      local_worker != "no" && !local_worker.empty()) {
    std::cerr << "strata-coordinator: --local-worker '" << local_worker
              << "' is not true or false\n";
    return 2;
  }

  if (no_auth != "true" && no_auth != "false") {
    std::cerr << "strata-coordinator: --no-auth '" << no_auth << "' is not true or false\n";
    return 2;
  }
  const bool tcp = IsTcpEndpoint(listen) || IsTcpEndpoint(worker_listen);
  if (tcp && tokens.empty() && no_auth != "true") {
    std::cerr << "strata-coordinator: a tcp:// endpoint needs --tokens FILE (who may connect; "
                 "docs/tenancy.md), or --no-auth true to let anyone who reaches it drive this "
                 "coordinator\n";
    return 2;
  }
  auto access = strata::coordinator::ClientAccess::Open({tokens, no_auth == "true"});
  if (!access.ok()) return Fail("--tokens", access.status());
  strata::protocol::SecurityOptions tcp_security;
  if (!curve_secret_key.empty()) {
    auto secret = strata::protocol::ReadCurveKeyFile(curve_secret_key);
    if (!secret.ok()) return Fail("--curve-secret-key", secret.status());
    auto derived = strata::protocol::CurvePublicKeyOf(*secret);
    if (!derived.ok()) return Fail("--curve-secret-key", derived.status());
    tcp_security.server_secret = *secret;
    tcp_security.server_public = *derived;
  }
  if (no_auth == "true" && tcp) {
    LOG(WARN) << "--no-auth: anyone who reaches the tcp:// endpoints may drive this coordinator";
  }

  if (strata::Status private_root = strata::EnsurePrivateDir(root); !private_root.ok()) {
    return Fail("state directory", private_root);
  }
  auto lock = strata::FileLock::Acquire(root + "/coordinator.lock", strata::FileLock::Mode::kTry);
  if (!lock.ok()) {
    return Fail("another coordinator serves " + root, lock.status());
  }
  auto store = strata::cache::Store::Open(root + "/store");
  if (!store.ok()) return Fail("open store " + root + "/store", store.status());

  strata::registry::RegistryClientOptions registry_options;
  for (size_t start = 0; start <= insecure.size();) {
    size_t comma = insecure.find(',', start);
    if (comma == std::string::npos) comma = insecure.size();
    std::string host = insecure.substr(start, comma - start);
    if (!host.empty()) registry_options.insecure_registries.push_back(host);
    start = comma + 1;
  }
  // Credentials come with each client's request; the coordinator keeps
  // them in memory only (coordinator/request_credentials.h).
  auto credentials = std::make_shared<strata::coordinator::RequestCredentials>();
  std::unique_ptr<strata::registry::RegistryClient> registry_client =
      strata::registry::NewRegistryClient(registry_options, credentials);
  strata::coordinator::ImagePuller puller(
      **store, *registry_client,
      {registry_options.parallel_downloads, root + "/store/tmp"});

  strata::SystemClock clock;
  strata::coordinator::ImageService images(**store, clock, root + "/store/tmp");
  strata::coordinator::RpcHandler handler(images);
  strata::protocol::Context context;
  // Before any listener binds: libzmq asks it about every CurveZMQ client.
  std::unique_ptr<strata::protocol::ZapHandler> zap;
  if (!tcp_security.empty()) {
    auto started = strata::protocol::ZapHandler::Start(
        context, [&access](const std::string& key) { return (*access)->AdmitCurveKey(key); });
    if (!started.ok()) return Fail("CurveZMQ", started.status());
    zap = std::move(*started);
    LOG(INFO) << "CurveZMQ on tcp:// endpoints, server key " << tcp_security.server_public;
  }
  auto options_for = [&](const std::string& endpoint) {
    strata::protocol::ListenerOptions options =
        strata::coordinator::Server::ListenerOptionsForServer();
    if (IsTcpEndpoint(endpoint)) options.security = tcp_security;
    return options;
  };
  auto listener = strata::protocol::Listener::Bind(context, listen, options_for(listen));
  if (!listener.ok()) return Fail("listen on " + listen, listener.status());
  auto workers =
      strata::protocol::Listener::Bind(context, worker_listen, options_for(worker_listen));
  if (!workers.ok()) return Fail("listen for workers on " + worker_listen, workers.status());
  LOG(INFO) << "coordinator pid " << getpid() << " serving " << (*listener)->endpoint()
            << ", workers on " << (*workers)->endpoint();

  strata::coordinator::ServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(idle_seconds * 1000));
  strata::coordinator::Server server(**listener, handler, clock, options);
  server.AttachAccess(**access);
  strata::coordinator::OutboxJobSender job_sender(server);
  strata::coordinator::WorkerPoolOptions pool_options;
  pool_options.job_timeout_ms = *job_timeout_nanos / 1'000'000;
  strata::coordinator::WorkerPool pool(clock, job_sender, pool_options);
  strata::coordinator::BuildService builds(**store, pool, clock, server);
  server.AttachBuilds(**workers, builds, pool);
  builds.AttachPuller(puller, *credentials);
  strata::coordinator::PullService pulls(puller, *registry_client, *credentials, server);
  server.AttachPulls(pulls);
  strata::coordinator::StorePushRecorder push_recorder(**store);
  strata::coordinator::ImagePusher pusher(**store, &push_recorder,
                                          {.parallel_uploads = 3, .tmp_dir = root + "/store/tmp"});
  strata::coordinator::PushService pushes(
      pusher, *registry_client,
      [&credentials](const strata::v1::RegistryAuth& auth) { credentials->Accept(auth); }, server);
  server.AttachService(pushes);
  strata::coordinator::LoginService logins(*registry_client, *credentials, server);
  server.AttachService(logins);
  strata::coordinator::ClusterInfoService cluster_info(
      **store, pool, builds, server, {(*listener)->endpoint(), (*workers)->endpoint(), root});
  server.AttachService(cluster_info);
  strata::coordinator::ImageFileService image_files(images, server);
  server.AttachService(image_files);
  strata::coordinator::ArchiveStreamService archives(images, server, clock, root + "/store/tmp");
  server.AttachService(archives);
  strata::coordinator::MetricsService metrics(**store, pool, builds);
  std::unique_ptr<strata::metrics::HttpEndpoint> metrics_endpoint;
  if (!metrics_listen.empty()) {
    auto started = strata::metrics::HttpEndpoint::Start(
        metrics_listen, [&metrics](const std::string& path) { return metrics.Serve(path); });
    if (!started.ok()) return Fail("--metrics-listen " + metrics_listen, started.status());
    metrics_endpoint = std::move(*started);
    LOG(INFO) << "metrics on http://" << metrics_endpoint->address() << "/metrics";
  }

  std::unique_ptr<strata::coordinator::LocalWorker> worker;
  if (want_local_worker) {
    worker = std::make_unique<strata::coordinator::LocalWorker>(std::vector<std::string>{
        strata::coordinator::ExecutableDirectory() + "/strata-worker", "--coordinator",
        (*workers)->endpoint(), "--root", root + "/worker", "--blob-dir", root + "/store/blobs",
        "--id", "local", "--exit-with-parent", "--log-level", log_level});
    if (strata::Status started = worker->Start(); !started.ok()) {
      LOG(ERROR) << started.message();  // builds wait for a worker; images still work
      worker.reset();
    }
  }
  g_server = &server;
  g_access = access->get();
  struct sigaction reload = {};
  reload.sa_handler = OnReloadSignal;
  sigaction(SIGHUP, &reload, nullptr);
  struct sigaction stop = {};
  stop.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &stop, nullptr);
  sigaction(SIGINT, &stop, nullptr);
  strata::Status s = server.Run();
  g_server = nullptr;
  if (worker) worker->Stop();
  for (const std::string& endpoint : {listen, worker_listen}) {
    if (endpoint.rfind("ipc://", 0) == 0) ::unlink(endpoint.substr(6).c_str());
  }
  if (!s.ok()) return Fail("serve", s);
  return 0;
}
