#pragma once

// The one place strata speaks runc's command line. Two modes use it:
//  - attached (RuncRuntime, a build's RUN): one command to completion,
//    output read through pipes, killed on timeout or cancel;
//  - a container's own stdio or terminal (cli/container's runner): the
//    caller's stdio or a pty passed to `runc run`, a pid file the monitor
//    and `exec` wait for, `runc exec` and `runc kill` from other processes.
// Both write the bundle with WriteBundle and start runc with --log in json
// (so StartFailure can say why a start failed) and a --pid-file (whose
// absence after exit means the process never started).

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/oci_spec.h"
#include "sandbox/runtime.h"
#include "sandbox/subprocess.h"

namespace strata::sandbox {

// The files of one bundle directory.
struct BundlePaths {
  explicit BundlePaths(std::string dir);
  std::string dir;
  std::string config;       // config.json
  std::string hosts;        // bind-mounted at /etc/hosts
  std::string resolv_conf;  // bind-mounted at /etc/resolv.conf
  std::string log;          // runc's json log of `runc run`
  std::string pid;          // the container's init pid, once started
};

// Creates `paths.dir` (0700) and writes config.json for `spec`
// (BuildOciConfig), /etc/hosts for settings.hostname, and a copy of
// `resolv_conf_source` (an empty file when it cannot be read).
Status WriteBundle(const BundlePaths& paths, const RunSpec& spec, const ContainerSettings& settings,
                   const std::string& resolv_conf_source);

// The files of one `runc exec`.
struct ExecFiles {
  std::string process;  // the process.json it runs
  std::string pid;      // --pid-file
  std::string log;      // --log (json)
};

// runc with one state directory (`runc --root`). Copyable; holds no
// process. Thread-safe: every method only runs runc or reads files.
class RuncDriver {
 public:
  RuncDriver(std::string binary, std::string state_dir)
      : binary_(std::move(binary)), state_dir_(std::move(state_dir)) {}

  const std::string& binary() const { return binary_; }
  const std::string& state_dir() const { return state_dir_; }

  // `runc --root <state> <args...>`.
  std::vector<std::string> Command(std::vector<std::string> args) const;

  // Whether runc keeps state for `id` (created and not yet deleted).
  bool HasState(const std::string& id) const;

  // Starts `runc run --bundle B --pid-file B/pid ID` with `stdio` and
  // returns runc's pid; the caller waits for it (WaitProcess). runc's exit
  // status is the container's (128+N for signal N). `new_session`: runc
  // runs in a session of its own.
  Result<pid_t> StartRun(const std::string& id, const BundlePaths& bundle, ChildStdio stdio,
                         bool new_session = false) const;

  // Starts `runc exec --process P --pid-file F [--detach] ID`.
  Result<pid_t> StartExec(const std::string& id, const ExecFiles& files, bool detach,
                          ChildStdio stdio) const;

  // `runc kill ID SIGNAL`, its output and exit code as they are.
  Result<CapturedRun> Kill(const std::string& id, const std::string& signal) const;

  // `runc delete -f ID` when runc keeps state for it (`runc run` deletes
  // its own container when the process exits; state is left only when
  // runc itself died or was killed). OK when there was none.
  Status Delete(const std::string& id) const;

  // Why runc could not start a process: the last message of its json log
  // at `log_path` ("runc wrote no log" when it is empty or missing).
  static std::string StartFailure(const std::string& log_path);

 private:
  std::string binary_;
  std::string state_dir_;
};

}  // namespace strata::sandbox
