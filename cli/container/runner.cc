#include "cli/container/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/container/rootfs.h"
#include "cli/container/run_config.h"
#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/path_clean.h"
#include "sandbox/mount_stubs.h"
#include "sandbox/oci_spec.h"
#include "sandbox/root_writer.h"
#include "sandbox/runc_driver.h"
#include "sandbox/subprocess.h"
#include "sandbox/user_resolver.h"
#include "common/random_hex.h"

namespace strata::cli::container {
namespace {

int64_t NowNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// The runc process of the RunOnce in progress, for the signal handler (a
// signal handler can reach nothing else; one RunOnce per process at a time).
std::atomic<pid_t> g_runc_pid{0};

void ForwardSignal(int sig) {
  pid_t pid = g_runc_pid.load();
  if (pid > 0 && sig != SIGINT) kill(pid, sig);
}

// Installs ForwardSignal for the life of the object. SIGINT gets a handler
// that does nothing: Ctrl-C reaches runc (same process group) directly, and
// a handler (unlike SIG_IGN) is not inherited by runc.
class SignalForwarding {
 public:
  explicit SignalForwarding(pid_t runc) {
    g_runc_pid = runc;
    struct sigaction sa = {};
    sa.sa_handler = ForwardSignal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  }
  ~SignalForwarding() {
    g_runc_pid = 0;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
  }
};

// The containers' runc: the store's state directory.
sandbox::RuncDriver Driver(const ContainerStore& store, const RuncConfig& runc) {
  return sandbox::RuncDriver(runc.binary, store.RuncStateDir());
}

// runc could not be started at all: the container's error, exit 125.
std::string CannotStartRunc(const Status& status) {
  return status.message() + " (containers need runc installed)";
}

// The bundle of one run: config.json plus the files the container gets.
Result<sandbox::RunSpec> WriteContainerBundle(const ContainerRecord& record,
                                              const std::string& rootfs,
                                              const sandbox::BundlePaths& bundle, const RunIo& io) {
  const image::ContainerConfig& config = record.config.config;
  sandbox::RunSpec spec;
  spec.rootfs = rootfs;
  spec.args = record.Argv();
  // Docker's order: PATH (added by the runtime when unset), HOSTNAME,
  // TERM for a terminal, then the container's Env.
  spec.env = {"HOSTNAME=" + record.Hostname()};
  if (io.terminal) spec.env.push_back("TERM=xterm");
  spec.env.insert(spec.env.end(), config.env.begin(), config.env.end());
  // Cleaned inside the container: "-w /../../tmp/x" is /tmp/x of the
  // container, never a path above its root.
  spec.cwd = CleanPath("/" + config.working_dir);
  ASSIGN_OR_RETURN(sandbox::ResolvedUser user, sandbox::ResolveUser(rootfs, config.user));
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.additional_gids = user.additional_gids;
  spec.hostname = record.Hostname();
  spec.network = sandbox::NetworkMode::kHost;
  spec.pass_stdin = io.in >= 0;
  spec.terminal = io.terminal;
  // Docker creates a missing working directory (it then belongs to the
  // container's layer). Resolved inside the rootfs: the image's symlinks
  // (`/hostlink -> /tmp`) lead to the container's /tmp, not the host's.
  TRY(sandbox::MakeDirInRoot(rootfs, spec.cwd, 0, 0, std::nullopt));

  RemoveTree(bundle.dir).PermitUncheckedError();
  sandbox::ContainerSettings settings;
  settings.hostname = spec.hostname;
  settings.cgroups_path = "/strata-containers/" + record.id;
  settings.nofile = sandbox::NofileLimit();
  TRY(sandbox::WriteBundle(bundle, spec, settings, "/etc/resolv.conf"));
  return spec;
}

// Copies what arrives on the pipes `from[i]` to `to[i]` and to `log` until
// both are closed.
void Pump(const int from[2], const int to[2], int log) {
  struct pollfd fds[2] = {{from[0], POLLIN, 0}, {from[1], POLLIN, 0}};
  int open_pipes = 2;
  char buffer[65536];
  while (open_pipes > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_pipes;
        continue;
      }
      if (write(to[i], buffer, n) < 0) {
        // The terminal went away; keep logging.
      }
      if (log >= 0 && write(log, buffer, n) < 0) log = -1;
    }
  }
}

}  // namespace

Result<int> RunOnce(ContainerStore& store, ContainerRecord& record, const RunIo& io,
                    const RuncConfig& runc) {
  std::string dir = store.Dir(record.id);
  RootfsPaths paths{dir + "/upper", dir + "/work", dir + "/merged"};
  if (IsMountPoint(paths.merged)) TRY(UnmountRootfs(paths.merged));
  sandbox::RuncDriver driver = Driver(store, runc);
  driver.Delete(record.id).PermitUncheckedError();
  TRY(MakeDirs(store.RuncStateDir(), 0700));
  TRY(MountRootfs(store.SnapshotRoot(), record.chain, paths));
  sandbox::BundlePaths bundle(dir + "/bundle");
  sandbox::MountStubs stubs;
  auto cleanup = [&] {
    sandbox::RemoveMountStubs(stubs);
    UnmountRootfs(paths.merged).PermitUncheckedError();
    driver.Delete(record.id).PermitUncheckedError();
    RemoveTree(bundle.dir).PermitUncheckedError();
  };
  Result<sandbox::RunSpec> spec = WriteContainerBundle(record, paths.merged, bundle, io);
  if (spec.ok()) {
    Result<sandbox::MountStubs> made =
        sandbox::CreateMountStubs(paths.merged, sandbox::RootfsMountPoints(*spec));
    if (made.ok()) {
      stubs = std::move(*made);
    } else {
      spec = made.status();
    }
  }
  if (!spec.ok()) {
    cleanup();
    return spec.status();
  }

  record.state = State::kRunning;
  record.monitor_pid = getpid();
  record.monitor_start = ProcessStartTime(getpid());
  record.started_ns = NowNanos();
  record.finished_ns = 0;
  record.error.clear();
  TRY(store.Save(record));

  // Without a terminal, a tee_log run reads the output through pipes.
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int tee = -1;
  if (!io.tee_log.empty() && !io.terminal) {
    tee = open(io.tee_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (tee >= 0 && (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)) {
      close(tee);
      tee = -1;
    }
  }
  int in = io.in, out = tee >= 0 ? out_pipe[1] : io.out, err = tee >= 0 ? err_pipe[1] : io.err;
  // A terminal without one of ours (run -dt): runc's terminal proxy needs a
  // terminal as its stdio, so it gets the slave side of a pty whose output
  // is copied to io.out (the log).
  int pty_master = -1, pty_slave = -1;
  if (io.terminal && io.own_pty) {
    pty_master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty_master >= 0 && grantpt(pty_master) == 0 && unlockpt(pty_master) == 0) {
      pty_slave = open(ptsname(pty_master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    if (pty_slave < 0) {
      if (pty_master >= 0) close(pty_master);
      cleanup();
      return ErrnoStatus("open a pseudo-terminal for", record.ShortId());
    }
    in = out = err = pty_slave;
  }
  Result<pid_t> pid = driver.StartRun(record.id, bundle, sandbox::ChildStdio{in, out, err});
  std::thread pty_copier;
  if (pty_slave >= 0) {
    close(pty_slave);
    if (pid.ok()) {
      pty_copier = std::thread([pty_master, to = io.out] {
        char buffer[65536];
        while (true) {
          ssize_t n = read(pty_master, buffer, sizeof buffer);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) return;  // EIO once runc, the last holder of the slave, exits
          if (to >= 0 && write(to, buffer, n) < 0) {
            // The log is gone; keep draining so that runc does not block.
          }
        }
      });
    }
  }
  std::optional<SignalForwarding> forwarding;
  if (pid.ok()) forwarding.emplace(*pid);
  if (tee >= 0) {
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid.ok()) {
      const int from[2] = {out_pipe[0], err_pipe[0]};
      const int to[2] = {io.out, io.err};
      Pump(from, to, tee);
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(tee);
  }
  int exit_code = 127;
  if (pid.ok()) {
    Result<int> status = sandbox::WaitProcess(*pid);
    if (status.ok()) {
      exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
    }
    if (!Exists(bundle.pid)) {
      record.error = sandbox::RuncDriver::StartFailure(bundle.log);
      std::cerr << "Error: failed to start container " << record.ShortId() << ": " << record.error
                << "\n";
      exit_code = StartFailureExitCode(record.error);
    }
  } else {
    record.error = CannotStartRunc(pid.status());
    std::cerr << "Error: " << record.error << "\n";
    exit_code = 125;
  }
  forwarding.reset();
  if (pty_copier.joinable()) pty_copier.join();
  if (pty_master >= 0) close(pty_master);
  cleanup();
  record.state = State::kExited;
  record.exit_code = exit_code;
  record.finished_ns = NowNanos();
  record.monitor_pid = 0;
  record.monitor_start = 0;
  TRY(store.Save(record));
  return exit_code;
}

Status SignalContainer(ContainerStore& store, const ContainerRecord& record,
                       const std::string& signal, const RuncConfig& runc) {
  // Between "running" in state.json and runc's own state there is a moment
  // (the monitor is starting runc): wait for the container to exist.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  sandbox::RuncDriver driver = Driver(store, runc);
  while (!driver.HasState(record.id)) {
    ASSIGN_OR_RETURN(ContainerRecord now, store.Load(record.id));
    if (!store.IsRunning(now) || std::chrono::steady_clock::now() >= deadline) {
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSIGN_OR_RETURN(sandbox::CapturedRun run, driver.Kill(record.id, signal));
  if (run.exit_code != 0 && run.output.find("not running") == std::string::npos &&
      run.output.find("does not exist") == std::string::npos) {
    return Status::Internal("runc kill " + record.ShortId() + " " + signal + ": " + run.output);
  }
  return Status::OK();
}

Status StopContainer(ContainerStore& store, const std::string& id, int timeout_seconds,
                     const RuncConfig& runc) {
  ASSIGN_OR_RETURN(ContainerRecord record, store.Load(id));
  if (!store.IsRunning(record)) return Status::OK();
  auto wait_exit = [&](std::chrono::milliseconds limit) -> Result<bool> {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      ASSIGN_OR_RETURN(ContainerRecord now, store.Load(id));
      if (!store.IsRunning(now)) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  };
  std::string stop_signal = record.config.config.stop_signal;
  if (stop_signal.empty()) stop_signal = "SIGTERM";
  if (timeout_seconds != 0) {
    TRY(SignalContainer(store, record, stop_signal, runc));
    if (timeout_seconds > 0) {
      ASSIGN_OR_RETURN(bool stopped, wait_exit(std::chrono::seconds(timeout_seconds)));
      if (stopped) return Status::OK();
    } else {
      // -t -1: wait for ever, as Docker does.
      ASSIGN_OR_RETURN(bool stopped, wait_exit(std::chrono::hours(24 * 365)));
      if (stopped) return Status::OK();
    }
  }
  TRY(SignalContainer(store, record, "SIGKILL", runc));
  ASSIGN_OR_RETURN(bool stopped, wait_exit(std::chrono::seconds(15)));
  if (!stopped) {
    return Status::TimedOut("container " + record.ShortId() +
                            " did not exit after SIGKILL within 15 s (monitor pid " +
                            std::to_string(record.monitor_pid) + ")");
  }
  return Status::OK();
}

Result<int> ExecInContainer(ContainerStore& store, ContainerRecord& record,
                            const ExecOptions& options, const RunIo& io, const RuncConfig& runc) {
  sandbox::RuncDriver driver = Driver(store, runc);
  sandbox::BundlePaths bundle_paths(store.Dir(record.id) + "/bundle");
  const std::string& bundle = bundle_paths.dir;
  if (!store.IsRunning(record) || !Exists(bundle_paths.pid) || !driver.HasState(record.id)) {
    return Status::Unavailable("container " + record.id + " is not running");
  }
  Result<std::string> text = ReadFile(bundle_paths.config);
  if (!text.ok()) return Status::Unavailable("container " + record.id + " is not running");
  nlohmann::json config = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("process") || !config["process"].is_object()) {
    return Status::Corruption(bundle + "/config.json has no process; restart the container");
  }
  nlohmann::json process = config["process"];
  process["args"] = options.args;
  process["terminal"] = io.terminal;
  std::vector<std::string> env;
  if (process.contains("env") && process["env"].is_array()) {
    for (const auto& e : process["env"]) {
      if (e.is_string()) env.push_back(e.get<std::string>());
    }
  }
  std::vector<std::string> extra = options.env;
  // Docker's exec sets TERM for a terminal unless the container or -e has one.
  if (io.terminal) extra.insert(extra.begin(), "TERM=xterm");
  ASSIGN_OR_RETURN(env, MergeEnv(env, {}, extra, [](const std::string&) { return std::nullopt; }));
  process["env"] = env;
  if (!options.workdir.empty()) process["cwd"] = options.workdir;
  if (!options.user.empty()) {
    ASSIGN_OR_RETURN(sandbox::ResolvedUser user,
                     sandbox::ResolveUser(store.Dir(record.id) + "/merged", options.user));
    process["user"] = {{"uid", user.uid}, {"gid", user.gid}};
    if (!user.additional_gids.empty()) process["user"]["additionalGids"] = user.additional_gids;
  }
  std::string tag = "exec-" + RandomHex(8);
  std::string process_file = bundle + "/" + tag + ".json";
  std::string log = bundle + "/" + tag + ".log";
  std::string pid_file = bundle + "/" + tag + ".pid";
  TRY(WriteFile(
      process_file, process.dump(2, ' ', false, nlohmann::json::error_handler_t::replace), 0600));
  struct Cleanup {
    std::vector<std::string> paths;
    ~Cleanup() {
      for (const auto& p : paths) unlink(p.c_str());
    }
  } cleanup{{process_file, log, pid_file}};
  Result<pid_t> spawned =
      driver.StartExec(record.id, sandbox::ExecFiles{process_file, pid_file, log}, options.detach,
                       sandbox::ChildStdio{io.in, io.out, io.err});
  if (!spawned.ok()) return Status::Unavailable(CannotStartRunc(spawned.status()));
  pid_t pid = *spawned;
  int exit_code = 125;
  {
    SignalForwarding forwarding(pid);
    Result<int> status = sandbox::WaitProcess(pid);
    if (status.ok()) {
      exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
    }
  }
  if (!Exists(pid_file)) {
    std::string reason = sandbox::RuncDriver::StartFailure(log);
    std::cerr << "Error: OCI runtime exec failed: " << reason << "\n";
    return StartFailureExitCode(reason);
  }
  return exit_code;
}

Status SpawnMonitor(ContainerStore& store, const std::string& id,
                    const std::string& strata_binary) {
  // The monitor's stdout and stderr, and so the container's, are the log.
  std::string log_path = store.LogPath(id);
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return ErrnoStatus("open", log_path);
  Result<pid_t> pid =
      sandbox::SpawnProcess({strata_binary, "--root", store.root(), "container", "_monitor", id},
                            sandbox::ChildStdio{-1, log, log}, /*new_session=*/true);
  close(log);
  if (!pid.ok()) return pid.status();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    Result<ContainerRecord> r = store.Load(id);
    // Started: runc wrote the container's pid, or the run is already over.
    if (r.ok() && (Exists(store.Dir(id) + "/bundle/pid") || r->state == State::kExited)) {
      if (r->state == State::kExited && !r->error.empty()) {
        return Status::Internal("failed to start container " + id.substr(0, 12) + ": " + r->error);
      }
      return Status::OK();
    }
    if (!r.ok() && r.status().IsNotFound()) return Status::OK();  // --rm removed it already
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::TimedOut("container " + id.substr(0, 12) +
                          " did not start within 10 s; see ROOT/containers/" + id);
}

}  // namespace strata::cli::container
