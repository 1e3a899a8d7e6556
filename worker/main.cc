// strata-worker: runs build steps for a coordinator (docs/worker-runtime.md,
// "The worker process"). Started by hand on each machine of a pool, or by
// the local coordinator with --exit-with-parent and --blob-dir.

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "common/byte_size.h"
#include "common/duration.h"
#include "common/file_lock.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/options.h"
#include "protocol/context.h"
#include "sandbox/runc_runtime.h"
#include "snapshot/overlay_snapshotter.h"
#include "protocol/security.h"
#include "worker/agent.h"
#include "worker/blob_cache.h"
#include "worker/cache_ledger.h"
#include "worker/worker_metrics.h"

namespace {

int Fail(const std::string& what, const strata::Status& s) {
  LOG(ERROR) << what << ": " << s.message();
  std::cerr << "strata-worker: " << what << ": " << s.message() << "\n";
  return 1;
}

std::string DefaultId() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "worker") + "-" + std::to_string(::getpid());
}

}  // namespace

int main(int argc, char** argv) {
  std::string coordinator, root, blob_dir, slots_text, runtime_binary, id, log_level, config,
      drain_timeout, max_cache, metrics_listen, token, curve_server_key, curve_secret_key;
  bool exit_with_parent = false;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  CLI::App app("strata-worker: runs build steps (RUN, COPY, ADD, WORKDIR) for a coordinator",
               "strata-worker");
  strata::AddOptionTable(
      app,
      {
          {"--coordinator", "STRATA_COORDINATOR", "",
           "the coordinator's worker endpoint: ipc://PATH or tcp://HOST:PORT (required)",
           &coordinator},
          {"--root", "STRATA_WORKER_ROOT", "/var/lib/strata/worker",
           "state directory: snapshots, runc state, layers, tmp, blob cache", &root},
          {"--blob-dir", "STRATA_BLOB_DIR", "",
           "a blob store to read from (DIR/sha256/<hex>) before asking the coordinator; "
           "layers already there are not uploaded",
           &blob_dir},
          {"--slots", "STRATA_SLOTS", std::to_string(cores), "jobs run at once", &slots_text},
          {"--runtime", "STRATA_RUNTIME", "runc", "the OCI runtime binary (runc's command line)",
           &runtime_binary},
          {"--id", "STRATA_WORKER_ID", "", "this worker's name in the pool (default hostname-pid)",
           &id},
          {"--log-level", "STRATA_LOG_LEVEL", "info", "debug, info, warn or error", &log_level},
          {"--drain-timeout", "STRATA_DRAIN_TIMEOUT", "30s",
           "on SIGTERM, how long running jobs get to finish before they are handed back "
           "(a second SIGTERM, or SIGINT, stops at once)",
           &drain_timeout},
          {"--token", "STRATA_TOKEN", "",
           "a token of role worker for the coordinator (docs/tenancy.md)", &token},
          {"--curve-server-key", "STRATA_CURVE_SERVER_KEY", "",
           "file with the coordinator's CurveZMQ public key (its .pub)", &curve_server_key},
          {"--curve-secret-key", "STRATA_CURVE_SECRET_KEY", "",
           "file with this worker's CurveZMQ secret key, for a coordinator that admits listed "
           "keys",
           &curve_secret_key},
          {"--max-cache", "STRATA_MAX_CACHE", "",
           "the most bytes of unpacked layers and blobs kept for later jobs, e.g. 20GB or "
           "50GiB; the least recently used go first, never one a job uses (default: no limit)",
           &max_cache},
          {"--metrics-listen", "STRATA_WORKER_METRICS_LISTEN", "",
           "serve /metrics (Prometheus) and /healthz over HTTP on HOST:PORT, e.g. "
           "127.0.0.1:9701 (default: off)",
           &metrics_listen},
      });
  app.add_flag("--exit-with-parent", exit_with_parent,
               "get SIGTERM when the parent process exits (the local coordinator's worker)");
  strata::AddConfigFileOption(app, &config);
  if (std::optional<int> rc = strata::ParseCommandLine(app, argc, argv)) return *rc;

  strata::LogLevel level;
  if (!strata::ParseLogLevel(log_level, &level)) {
    std::cerr << "strata-worker: unknown --log-level '" << log_level << "'\n";
    return 2;
  }
  strata::SetLogLevel(level);
  if (coordinator.empty()) {
    std::cerr << "strata-worker: --coordinator is required (e.g. tcp://coordinator:7701 or "
                 "ipc:///var/lib/strata/worker.sock)\n";
    return 2;
  }
  char* end = nullptr;
  unsigned long slots = std::strtoul(slots_text.c_str(), &end, 10);
  if (end == slots_text.c_str() || *end != '\0' || slots == 0 || slots > 1024) {
    std::cerr << "strata-worker: --slots '" << slots_text << "' is not a number from 1 to 1024\n";
    return 2;
  }
  if (root.empty() || root.front() != '/') {
    std::cerr << "strata-worker: --root '" << root << "' must be an absolute path\n";
    return 2;
  }
  if (!blob_dir.empty() && blob_dir.front() != '/') {
    std::cerr << "strata-worker: --blob-dir '" << blob_dir << "' must be an absolute path\n";
    return 2;
  }
  if (id.empty()) id = DefaultId();
  std::optional<int64_t> drain_nanos = strata::ParseGoDuration(drain_timeout);
  if (!drain_nanos) {
    std::cerr << "strata-worker: --drain-timeout '" << drain_timeout
              << "' is not a duration (e.g. 30s, 5m, or 0 to stop at once)\n";
    return 2;
  }

  uint64_t max_cache_bytes = 0;
  if (!max_cache.empty()) {
    std::optional<uint64_t> parsed = strata::ParseByteSize(max_cache);
    if (!parsed) {
      std::cerr << "strata-worker: --max-cache '" << max_cache
                << "' is not a size (e.g. 20GB, 50GiB, 512m, or 0 for no limit)\n";
      return 2;
    }
    max_cache_bytes = *parsed;
  }

  if (exit_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() == 1) return 0;  // the parent is already gone
  }
  // Signals become a Stop() call on a thread of their own; every other
  // thread (created below) inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // One worker per root, for its whole life (the kernel drops the lock when
  // it dies): what the root holds of mounts, containers and scratch then
  // belongs to no live process, and is removed below before any job runs.
  if (strata::Status made = strata::MakeDirs(root, 0700); !made.ok()) {
    return Fail("create --root " + root, made);
  }
  auto root_lock = strata::FileLock::Acquire(root + "/worker.lock", strata::FileLock::Mode::kTry);
  if (!root_lock.ok()) {
    return Fail("lock " + root + "/worker.lock",
                root_lock.status().code() == strata::StatusCode::kUnavailable
                    ? strata::Status::Unavailable("another strata-worker is running with --root " +
                                                  root + "; give each worker its own --root")
                    : root_lock.status());
  }

  auto snapshotter = strata::snapshot::OverlaySnapshotter::Open(root + "/snap");
  if (!snapshotter.ok()) return Fail("open snapshots under " + root, snapshotter.status());
  strata::sandbox::RuncOptions runc;
  runc.binary = runtime_binary;
  runc.state_dir = root + "/runc/state";
  runc.bundle_dir = root + "/runc/bundles";
  auto runtime = strata::sandbox::RuncRuntime::Create(runc);
  if (!runtime.ok()) return Fail("set up " + runtime_binary, runtime.status());
  if (strata::Status s = (*runtime)->Probe(); !s.ok()) {
    return Fail("cannot run the OCI runtime '" + runtime_binary + "' (see --runtime)", s);
  }
  // A dead worker's RUN containers first: they keep its step mounts busy.
  if (auto removed = (*runtime)->RemoveLeftoverContainers(); !removed.ok()) {
    return Fail("remove the containers a dead worker left in " + runc.state_dir, removed.status());
  }
  if (auto removed = (*snapshotter)->RemoveAbandonedMounts(); !removed.ok()) {
    return Fail("remove the mounts a dead worker left under " + root + "/snap/mounts",
                removed.status());
  }
  if (strata::Status s = (*snapshotter)->Probe(); !s.ok()) {
    return Fail("overlayfs cannot be mounted under " + root + " (the worker needs root)", s);
  }
  auto blobs = strata::worker::BlobCache::Open(root + "/blobs", blob_dir);
  if (!blobs.ok()) return Fail("open the blob cache under " + root, blobs.status());
  strata::worker::CacheLedger ledger(snapshotter->get(), blobs->get(), max_cache_bytes);
  if (strata::Status s = ledger.Load(); !s.ok()) {
    return Fail("count the layers and blobs kept under " + root, s);
  }

  strata::worker::WorkerAgentOptions options;
  options.coordinator = coordinator;
  options.connection.token = token;
  if (!curve_server_key.empty()) {
    auto key = strata::protocol::ReadCurveKeyFile(curve_server_key);
    if (!key.ok()) {
      std::cerr << "strata-worker: --curve-server-key: " << key.status().message() << "\n";
      return 2;
    }
    options.connection.security.server_public = *key;
  }
  if (!curve_secret_key.empty()) {
    auto secret = strata::protocol::ReadCurveKeyFile(curve_secret_key);
    auto pub = secret.ok() ? strata::protocol::CurvePublicKeyOf(*secret) : secret;
    if (!pub.ok() || curve_server_key.empty()) {
      std::cerr << "strata-worker: --curve-secret-key: "
                << (pub.ok() ? "needs --curve-server-key (the coordinator's public key)"
                             : pub.status().message())
                << "\n";
      return 2;
    }
    options.connection.security.client_secret = *secret;
    options.connection.security.client_public = *pub;
  }
  options.worker_id = id;
  options.slots = static_cast<uint32_t>(slots);
  options.work_dir = root;
  options.version = "strata-worker 1";
  char hostname[256] = {};
  if (::gethostname(hostname, sizeof(hostname) - 1) == 0) options.host = hostname;
  strata::protocol::Context context;
  strata::worker::WorkerAgent agent(context, snapshotter->get(), runtime->get(), blobs->get(),
                                    &ledger, options);

  strata::worker::WorkerMetrics worker_metrics(agent, ledger);
  std::unique_ptr<strata::metrics::HttpEndpoint> metrics_endpoint;
  if (!metrics_listen.empty()) {
    auto started = strata::metrics::HttpEndpoint::Start(
        metrics_listen,
        [&worker_metrics](const std::string& path) { return worker_metrics.Serve(path); });
    if (!started.ok()) return Fail("--metrics-listen " + metrics_listen, started.status());
    metrics_endpoint = std::move(*started);
    LOG(INFO) << "worker metrics on http://" << metrics_endpoint->address() << "/metrics";
  }
  std::atomic<bool> done{false};
  std::thread signal_thread([&] {
    struct timespec wait = {0, 200 * 1000 * 1000};
    while (!done) {
      int sig = sigtimedwait(&signals, nullptr, &wait);
      if (sig == SIGTERM && !agent.draining() && *drain_nanos > 0) {
        LOG(INFO) << "worker: SIGTERM, draining";
        agent.Drain(std::chrono::milliseconds(*drain_nanos / 1'000'000));
      } else if (sig == SIGTERM || sig == SIGINT) {
        LOG(INFO) << "worker: signal " << sig << ", shutting down";
        agent.Stop();
      }
    }
  });
  LOG(INFO) << "worker " << id << " pid " << ::getpid() << ": " << slots << " slots, root " << root
            << (blob_dir.empty() ? "" : ", blob dir " + blob_dir) << ", coordinator "
            << coordinator;
  strata::Status s = agent.Run();
  done = true;
  signal_thread.join();
  if (!s.ok()) return Fail("serve " + coordinator, s);
  return 0;
}
