#include "coordinator/local_worker.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "common/logging.h"
#include "common/thread_top.h"

namespace strata::coordinator {

std::string ExecutableDirectory() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return ".";
  std::string self(path, static_cast<size_t>(n));
  size_t slash = self.rfind('/');
  return slash == std::string::npos ? "." : self.substr(0, slash);
}

Status LocalWorker::Start() {
  if (access(argv_.at(0).c_str(), X_OK) != 0) {
    return Status::IOError("local worker " + argv_[0] + ": " + strerror(errno) +
                           "; build strata-worker next to strata-coordinator, or run without "
                           "--local-worker and start workers yourself");
  }
  TRY(Spawn());
  watcher_ = std::thread([this] {
    Status crashed = CatchAtThreadTop("local worker watcher", [this] { Watch(); });
    if (!crashed.ok()) LOG(ERROR) << crashed.message();
  });
  return Status::OK();
}

Status LocalWorker::Spawn() {
  std::vector<char*> args;
  for (const std::string& a : argv_) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Status::IOError(std::string("fork for the local worker: ") + strerror(errno));
  if (pid == 0) {
    execv(args[0], args.data());
    _exit(127);
  }
  MutexLock lock(mu_);
  pid_ = pid;
  LOG(INFO) << "local worker started: pid " << pid;
  return Status::OK();
}

void LocalWorker::Watch() {
  using namespace std::chrono_literals;
  while (!stopping_) {
    pid_t pid;
    {
      MutexLock lock(mu_);
      pid = pid_;
    }
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == 0 || (done < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(100ms);
      continue;
    }
    if (stopping_) return;
    LOG(WARN) << "local worker pid " << pid << " exited ("
              << (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                      : "status " + std::to_string(WEXITSTATUS(status)))
              << "); starting it again";
    std::this_thread::sleep_for(1s);
    if (stopping_) return;
    if (Status s = Spawn(); !s.ok()) LOG(ERROR) << s.ToString();
  }
}

void LocalWorker::Stop() {
  if (stopping_.exchange(true)) return;
  if (watcher_.joinable()) watcher_.join();
  pid_t pid;
  {
    MutexLock lock(mu_);
    pid = pid_;
  }
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    int status;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  LOG(WARN) << "local worker pid " << pid << " ignored SIGTERM for 5 s: killing it";
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace strata::coordinator
