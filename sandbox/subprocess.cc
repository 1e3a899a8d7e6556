#include "sandbox/subprocess.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/errno_status.h"

extern char** environ;

namespace strata::sandbox {

std::string JoinArgs(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, ChildStdio stdio,
                           bool new_session) {
  if (argv.empty()) return Status::InvalidArgument("SpawnProcess: empty argv");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int fds[3] = {stdio.in, stdio.out, stdio.err};
  for (int target = 0; target < 3; ++target) {
    if (fds[target] < 0) {
      posix_spawn_file_actions_addopen(&actions, target, "/dev/null",
                                       target == 0 ? O_RDONLY : O_WRONLY, 0);
    } else if (fds[target] == target) {
      // dup2 onto itself keeps close-on-exec; clear it explicitly.
      posix_spawn_file_actions_adddup2(&actions, target, 100 + target);
      posix_spawn_file_actions_adddup2(&actions, 100 + target, target);
      posix_spawn_file_actions_addclose(&actions, 100 + target);
    } else {
      posix_spawn_file_actions_adddup2(&actions, fds[target], target);
    }
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with default signal handling and an empty mask.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (new_session) flags |= POSIX_SPAWN_SETSID;
  posix_spawnattr_setflags(&attr, flags);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::IOError("starting " + JoinArgs(argv) + ": " + std::strerror(rc));
  }
  return pid;
}

Result<int> WaitProcess(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus("waitpid", std::to_string(pid));
  }
  return status;
}

Result<CapturedRun> RunAndCapture(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe", "for " + argv[0]);
  Result<pid_t> pid = SpawnProcess(argv, ChildStdio{-1, pipe_fds[1], pipe_fds[1]});
  close(pipe_fds[1]);
  if (!pid.ok()) {
    close(pipe_fds[0]);
    return pid.status();
  }
  CapturedRun run;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    run.output.append(buffer, n);
  }
  close(pipe_fds[0]);
  ASSIGN_OR_RETURN(int status, WaitProcess(*pid));
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

}  // namespace strata::sandbox
