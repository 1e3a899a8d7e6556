#include "sandbox/runc_runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <optional>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "sandbox/mount_stubs.h"
#include "sandbox/oci_spec.h"
#include "sandbox/runc_driver.h"
#include "sandbox/subprocess.h"
#include "common/random_hex.h"

namespace strata::sandbox {
namespace {

using Clock = std::chrono::steady_clock;

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Undoes, when it goes out of scope, what one Run set up.
class RunCleanup {
 public:
  explicit RunCleanup(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~RunCleanup() { fn_(); }
  RunCleanup(const RunCleanup&) = delete;
  RunCleanup& operator=(const RunCleanup&) = delete;

 private:
  std::function<void()> fn_;
};

Status ValidateSpec(const RunSpec& spec) {
  if (spec.rootfs.empty() || spec.rootfs[0] != '/') {
    return Status::InvalidArgument("rootfs must be an absolute path, got \"" + spec.rootfs + "\"");
  }
  struct stat st;
  if (stat(spec.rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("rootfs " + spec.rootfs + " is not a directory");
  }
  if (spec.args.empty()) return Status::InvalidArgument("no command to run (empty args)");
  if (spec.terminal) {
    return Status::InvalidArgument(
        "a terminal (process.terminal) is not supported by RuncRuntime::Run, which reads the "
        "output through pipes; start the container with RuncDriver::StartRun");
  }
  if (!spec.cwd.empty() && spec.cwd[0] != '/') {
    return Status::InvalidArgument("working directory must be absolute, got \"" + spec.cwd + "\"");
  }
  for (const BindMount& m : spec.mounts) {
    if (m.source.empty() || m.source[0] != '/' || m.destination.empty() ||
        m.destination[0] != '/') {
      return Status::InvalidArgument("bind mount " + m.source + " -> " + m.destination +
                                     ": both paths must be absolute");
    }
  }
  return Status::OK();
}

// Reads what is available on `fd` into `sink`; false at EOF or error.
bool Pump(int fd, OutputStream stream, OutputSink* sink) {
  char buffer[65536];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  if (sink != nullptr) sink->Write(stream, std::string_view(buffer, n));
  return true;
}

}  // namespace

Result<std::unique_ptr<RuncRuntime>> RuncRuntime::Create(RuncOptions options) {
  for (const std::string* dir : {&options.state_dir, &options.bundle_dir}) {
    if (dir->empty() || (*dir)[0] != '/') {
      return Status::InvalidArgument("runc state and bundle directories must be absolute paths");
    }
    TRY(MakeDirs(*dir, 0700));
  }
  return std::unique_ptr<RuncRuntime>(new RuncRuntime(std::move(options)));
}

Status RuncRuntime::Probe() {
  ASSIGN_OR_RETURN(CapturedRun run, RunAndCapture({options_.binary, "--version"}));
  if (run.exit_code != 0) {
    return Status::Unavailable(options_.binary + " --version failed: " + run.output);
  }
  return Status::OK();
}

void RuncRuntime::DeleteContainer(const std::string& id) {
  Status deleted = driver_.Delete(id);
  if (!deleted.ok()) LOG(WARN) << deleted.ToString();
}

Result<int> RuncRuntime::RemoveLeftoverContainers() {
  ASSIGN_OR_RETURN(std::vector<std::string> containers, ListDirectory(options_.state_dir));
  int deleted = 0;
  for (const std::string& id : containers) {
    // -f kills a container that still runs; runc then removes its state.
    Result<CapturedRun> run = RunAndCapture(driver_.Command({"delete", "-f", id}));
    if (!run.ok()) return run.status().Annotate("runc delete -f " + id);
    if (run->exit_code != 0 && Exists(options_.state_dir + "/" + id)) {
      // Not fatal: new containers get new ids. Said loudly, as its
      // processes may still run.
      LOG(WARN) << "runc delete -f " << id << " (left by a dead worker in " << options_.state_dir
                << ") failed: " << run->output;
      continue;
    }
    ++deleted;
  }
  ASSIGN_OR_RETURN(std::vector<std::string> bundles, ListDirectory(options_.bundle_dir));
  for (const std::string& name : bundles) TRY(RemoveTree(options_.bundle_dir + "/" + name));
  if (deleted > 0 || !bundles.empty()) {
    LOG(INFO) << "runc: removed " << deleted << " container(s) and " << bundles.size()
              << " bundle(s) a dead worker left";
  }
  return deleted;
}

Result<RunResult> RuncRuntime::Run(const RunSpec& spec, OutputSink* out) {
  TRY(ValidateSpec(spec));
  std::string hex = RandomHex(12);
  std::string id = "strata-" + hex + "-" + std::to_string(counter_++);
  std::string hostname = spec.hostname.empty() ? hex : spec.hostname;
  BundlePaths bundle(options_.bundle_dir + "/" + id);
  std::optional<MountStubs> stubs;
  RunCleanup cleanup([&] {
    DeleteContainer(id);
    if (stubs) RemoveMountStubs(*stubs);
    Status removed = RemoveTree(bundle.dir);
    if (!removed.ok()) {
      LOG(WARN) << "removing bundle: " << removed.ToString();
    }
  });

  ContainerSettings settings{hostname, options_.cgroup_parent + "/" + id, NofileLimit()};
  TRY(WriteBundle(bundle, spec, settings, options_.resolv_conf_source));
  ASSIGN_OR_RETURN(stubs, CreateMountStubs(spec.rootfs, RootfsMountPoints(spec)));

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe", "for container stdout");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return ErrnoStatus("pipe", "for container stderr");
  }
  Result<pid_t> spawned =
      driver_.StartRun(id, bundle, ChildStdio{spec.pass_stdin ? 0 : -1, out_pipe[1], err_pipe[1]});
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (!spawned.ok()) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return spawned.status();
  }
  pid_t runc_pid = *spawned;

  // Stream output until runc and the container have closed both pipes,
  // killing the container on timeout or cancel.
  Clock::time_point start = Clock::now();
  std::optional<Status> stop_reason;
  Clock::time_point killed_at;
  bool kill_sent = false;
  bool runc_killed = false;
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  const OutputStream streams[2] = {OutputStream::kStdout, OutputStream::kStderr};
  int open_count = 2;
  while (open_count > 0 && !runc_killed) {
    int ready = poll(fds, 2, 50);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && ready > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      if (!Pump(fds[i].fd, streams[i], out)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
    Clock::time_point now = Clock::now();
    if (!stop_reason) {
      if (spec.timeout.count() > 0 && now - start >= spec.timeout) {
        stop_reason = Status::TimedOut("command " + JoinArgs(spec.args) + " timed out after " +
                                       std::to_string(spec.timeout.count()) + " ms; killed");
      } else if (spec.cancel != nullptr && spec.cancel->load()) {
        stop_reason = Status::Cancelled("command " + JoinArgs(spec.args) + " was cancelled");
      }
      if (stop_reason) killed_at = now;
    }
    if (stop_reason) {
      if (now - killed_at < options_.kill_grace) {
        if (!kill_sent) {
          // Fails while runc has not created the container yet; retried.
          Result<CapturedRun> killed = driver_.Kill(id, "KILL");
          kill_sent = killed.ok() && killed->exit_code == 0;
        }
      } else {
        kill(runc_pid, SIGKILL);
        runc_killed = true;
      }
    }
  }
  for (struct pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  ASSIGN_OR_RETURN(int status, WaitProcess(runc_pid));
  if (stop_reason) return *stop_reason;
  if (!WIFEXITED(status)) {
    return Status::Internal("runc was killed by signal " + std::to_string(WTERMSIG(status)) +
                            " while running " + JoinArgs(spec.args));
  }
  int code = WEXITSTATUS(status);
  if (code != 0 && !Exists(bundle.pid)) {
    return Status::Internal("runc could not start " + JoinArgs(spec.args) + " (exit " +
                            std::to_string(code) + "): " + RuncDriver::StartFailure(bundle.log));
  }
  RunResult result;
  result.exit_code = code;
  if (code > 128 && code <= 128 + 64) result.signal = code - 128;
  return result;
}

}  // namespace strata::sandbox
