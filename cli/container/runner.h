#pragma once

// Runs a container of the store once, to the end, through runc: host
// network, Docker's defaults (sandbox::BuildOciConfig), hostname = short id,
// /etc/hosts and /etc/resolv.conf from the bundle. The caller's process is
// the container's monitor: state.json says running with its pid until the
// container exits, then exited with the exit code and times.

#include <string>
#include <vector>

#include "cli/container/container_store.h"
#include "common/result.h"

namespace strata::cli::container {

// Where the container's stdio goes. -1 means /dev/null.
struct RunIo {
  int in = -1;
  int out = 1;
  int err = 2;
  // process.terminal: runc allocates a pty and proxies it to in/out, which
  // must then be a terminal.
  bool terminal = false;
  // With `terminal`: in/out are no terminal (a detached run -t), so RunOnce
  // gives runc a pty of its own and copies what the container writes to out.
  bool own_pty = false;
  // Also append stdout and stderr to this file (the container's log), as a
  // foreground run without a terminal does so that `logs` shows it.
  std::string tee_log;
};

struct RuncConfig {
  std::string binary = "runc";
};

// Mounts the rootfs, runs the container's command and returns its exit
// status as Docker reports it (code, or 128+N when killed by signal N; when
// the command could not be started, StartFailureExitCode of runc's reason,
// which is printed to stderr and kept in record.error). SIGTERM and SIGHUP
// sent to this process are passed on to the container; SIGINT reaches runc
// from the terminal itself. REQUIRES: the
// image's layers are unpacked (EnsureLayers) and the container is not
// running.
Result<int> RunOnce(ContainerStore& store, ContainerRecord& record, const RunIo& io,
                    const RuncConfig& runc);

// `runc kill` of the container with `signal` (a name such as "SIGTERM" or
// a number); OK when it is not running.
Status SignalContainer(ContainerStore& store, const ContainerRecord& record,
                       const std::string& signal, const RuncConfig& runc);

// Docker's stop: the image's StopSignal (default SIGTERM), then SIGKILL
// after `timeout_seconds`; waits until the monitor has recorded the exit.
// A container that is not running is left as it is (OK).
Status StopContainer(ContainerStore& store, const std::string& id, int timeout_seconds,
                     const RuncConfig& runc);

// What `exec` runs in a running container.
struct ExecOptions {
  std::vector<std::string> args;
  // KEY=VALUE entries replacing or extending the container's environment.
  std::vector<std::string> env;
  std::string user;     // -u "user[:group]"; empty: the container's user
  std::string workdir;  // -w (absolute); empty: the container's working dir
  bool detach = false;  // -d: return once the process has started
};

// `runc exec` of a process in the running container: the container's
// process settings (capabilities, rlimits, env, user, cwd) from its bundle,
// with `options` applied; io.terminal asks for a pty as RunOnce does
// (stdin must then be a terminal). Returns the process's exit status (128+N
// for signal N; 0 at once with detach), or, when it could not be started,
// StartFailureExitCode of runc's reason after printing it to stderr.
// Unavailable "container ID is not running" when it is not.
Result<int> ExecInContainer(ContainerStore& store, ContainerRecord& record,
                            const ExecOptions& options, const RunIo& io, const RuncConfig& runc);

// Starts `strata --root ROOT container _monitor ID` in its own session,
// detached from this terminal, and waits (up to ~10 s) until it has
// started the container. `strata_binary` is the absolute path of strata.
Status SpawnMonitor(ContainerStore& store, const std::string& id, const std::string& strata_binary);

}  // namespace strata::cli::container
