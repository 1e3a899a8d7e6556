#pragma once

// Runs a container of the store once, to the end, through runc: host
// network, Docker's defaults (worker::BuildOciConfig), hostname = short id,
// /etc/hosts and /etc/resolv.conf from the bundle. The caller's process is
// the container's monitor: state.json says running with its pid until the
// container exits, then exited with the exit code and times.

#include <string>

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
  // Also append stdout and stderr to this file (the container's log), as a
  // foreground run without a terminal does so that `logs` shows it.
  std::string tee_log;
};

struct RuncConfig {
  std::string binary = "runc";
};

// Mounts the rootfs, runs the container's command and returns its exit
// status as Docker reports it (code, or 128+N when killed by signal N; 127
// when the command could not be started, after printing runc's reason to
// stderr). SIGTERM and SIGHUP sent to this process are passed on to the
// container; SIGINT reaches runc from the terminal itself. REQUIRES: the
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

// Starts `strata --root ROOT container _monitor ID` in its own session,
// detached from this terminal, and waits (up to ~10 s) until it has
// started the container. `strata_binary` is the absolute path of strata.
Status SpawnMonitor(ContainerStore& store, const std::string& id,
                    const std::string& strata_binary);

}  // namespace strata::cli::container
