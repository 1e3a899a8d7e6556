#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::sandbox {

enum class NetworkMode {
  kHost,  // the host's network namespace (Docker's default for RUN in BuildKit)
  kNone,  // a fresh network namespace with only the loopback device
};

// A host path bind-mounted into the container.
struct BindMount {
  std::string source;       // host path, absolute
  std::string destination;  // container path, absolute
  bool readonly = false;
};

// What to run. The caller resolves everything the image decides (user,
// working directory, environment): the runtime applies it as given.
struct RunSpec {
  std::string rootfs;             // absolute host path of the root file system
  std::vector<std::string> args;  // argv; args[0] is looked up in PATH
  // "KEY=value" entries. When none sets PATH, Docker's default PATH is added.
  std::vector<std::string> env;
  std::string cwd = "/";  // absolute path inside the container
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;
  std::string hostname;  // empty: the first 12 characters of the container id
  NetworkMode network = NetworkMode::kHost;
  bool readonly_rootfs = false;
  std::vector<BindMount> mounts;
  // Pass this process's stdin to the container (`container run -i`);
  // otherwise stdin is /dev/null.
  bool pass_stdin = false;
  // process.terminal: runc allocates a pty for the process and proxies it
  // to runc's own stdio, which must then be a terminal (`container run -t`;
  // RuncRuntime::Run, which reads output through pipes, refuses it).
  bool terminal = false;
  // Kill the container after this long; zero means no limit.
  std::chrono::milliseconds timeout{0};
  // When set and it becomes true, the container is killed and Run returns
  // Cancelled. Polled about every 50 ms. Not owned.
  const std::atomic<bool>* cancel = nullptr;
};

struct RunResult {
  // The exit status as Docker reports it: the process's exit code, or
  // 128 + N when signal N killed it.
  int exit_code = 0;
  // N when exit_code is 128 + N (1..64). A process that itself exits with
  // 128 + N looks the same; runc reports both alike.
  int signal = 0;
};

enum class OutputStream { kStdout, kStderr };

// Receives the container's output as it comes, in chunks of any size (not
// split at lines). Called from the thread that called Run, never from two
// threads at once for one Run.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void Write(OutputStream stream, std::string_view data) = 0;
};

// Keeps all output in memory (tests, short commands). Thread-safe.
class CollectingSink : public OutputSink {
 public:
  void Write(OutputStream stream, std::string_view data) override {
    std::lock_guard<std::mutex> lock(mu_);
    (stream == OutputStream::kStdout ? stdout_ : stderr_).append(data);
  }
  std::string stdout_text() {
    std::lock_guard<std::mutex> lock(mu_);
    return stdout_;
  }
  std::string stderr_text() {
    std::lock_guard<std::mutex> lock(mu_);
    return stderr_;
  }

 private:
  std::mutex mu_;
  std::string stdout_;  // GUARDED_BY(mu_)
  std::string stderr_;  // GUARDED_BY(mu_)
};

// Runs one command in a container and waits for it. Implementations are
// thread-safe: concurrent Runs are independent containers.
class Runtime {
 public:
  virtual ~Runtime() = default;
  // Returns the exit status of the command (a non-zero exit is a result,
  // not an error). Errors: the container could not be set up or started
  // (Internal/IOError with the runtime's message), TimedOut, Cancelled.
  // `out` may be null to discard output.
  virtual Result<RunResult> Run(const RunSpec& spec, OutputSink* out) = 0;
};

}  // namespace strata::sandbox
