#pragma once

// The worker a local coordinator runs beside itself (docs/local-mode.md):
// a `strata-worker` child process, started again when it dies, stopped with
// SIGTERM (SIGKILL after a grace period) when the coordinator exits.

#include <sys/types.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"

namespace strata::coordinator {

class LocalWorker {
 public:
  // `argv[0]` is the binary's path.
  explicit LocalWorker(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  ~LocalWorker() { Stop(); }
  LocalWorker(const LocalWorker&) = delete;
  LocalWorker& operator=(const LocalWorker&) = delete;

  // Starts the child and a thread that restarts it when it exits (at most
  // once a second). IOError when the binary is missing or fork fails.
  Status Start();
  // SIGTERM, wait up to 5 s, then SIGKILL. Idempotent.
  void Stop();

 private:
  Status Spawn() EXCLUDES(mu_);
  void Watch();

  const std::vector<std::string> argv_;
  Mutex mu_;
  pid_t pid_ GUARDED_BY(mu_) = -1;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

// The directory of the running executable ("/usr/bin" for /usr/bin/x).
std::string ExecutableDirectory();

}  // namespace strata::coordinator
