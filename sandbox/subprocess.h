#pragma once

// Starting helper programs (runc, strata's own monitor) without a shell.

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace strata::sandbox {

// File descriptors for a child's stdin, stdout and stderr; -1 means
// /dev/null. They are dup'ed into the child; the caller keeps its copies.
struct ChildStdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

// Starts `argv` (argv[0] is a path or looked up in PATH) with only `stdio`
// open in it (every other descriptor of this process is close-on-exec or
// closed by posix_spawn), default signal dispositions and an empty signal
// mask; with `new_session`, in a session of its own (setsid, no controlling
// terminal). Returns its pid.
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, ChildStdio stdio,
                           bool new_session = false);

// waitpid that retries on EINTR; returns the raw wait status.
Result<int> WaitProcess(pid_t pid);

struct CapturedRun {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr interleaved
};
// Runs `argv` to completion with stdin from /dev/null and captures its
// output (for short commands such as `runc delete`).
Result<CapturedRun> RunAndCapture(const std::vector<std::string>& argv);

// "a b c" for messages.
std::string JoinArgs(const std::vector<std::string>& argv);

}  // namespace strata::sandbox
