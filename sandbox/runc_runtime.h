#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "sandbox/runc_driver.h"
#include "sandbox/runtime.h"

namespace strata::sandbox {

struct RuncOptions {
  // The OCI runtime binary (`--runtime`); runc's command line is assumed.
  std::string binary = "runc";
  // runc's state directory (`runc --root`), absolute; created if missing.
  std::string state_dir;
  // Parent of the per-container bundle directories, absolute; created if
  // missing.
  std::string bundle_dir;
  // Copied into each container as /etc/resolv.conf (empty file if absent).
  std::string resolv_conf_source = "/etc/resolv.conf";
  // Containers get the cgroup <cgroup_parent>/<container id>.
  std::string cgroup_parent = "/strata";
  // After `runc kill` on timeout or cancel, how long runc gets to exit
  // before it is killed itself.
  std::chrono::milliseconds kill_grace{3000};
};

// Runtime over runc, RuncDriver's attached mode: one bundle and one
// `runc run` per Run, output through pipes to the sink. See
// docs/worker-runtime.md for the bundle layout and the spec choices.
//
// Cleanup guarantee: when Run returns, on every path (success, failing
// command, start failure, timeout, cancel), the bundle directory is gone,
// runc's state for the container is deleted (`runc delete -f` when runc
// left any), and the mount points it stubbed into the rootfs are removed.
class RuncRuntime : public Runtime {
 public:
  static Result<std::unique_ptr<RuncRuntime>> Create(RuncOptions options);

  // OK when the binary can be executed (`runc --version`).
  Status Probe();

  // Kills and deletes every container in the state directory (`runc
  // delete -f`; one runc cannot delete is logged and left), then removes
  // every bundle; returns how many containers it deleted. For the worker at start, holding its
  // root's lock: what is there was left by a worker that died while its RUN steps ran (their
  // processes may still run and keep the step mounts busy).
  Result<int> RemoveLeftoverContainers();

  Result<RunResult> Run(const RunSpec& spec, OutputSink* out) override;

  const RuncOptions& options() const { return options_; }

 private:
  explicit RuncRuntime(RuncOptions options)
      : options_(std::move(options)), driver_(options_.binary, options_.state_dir) {}

  // Deletes runc's state of `id` when any is left (a failure is logged).
  void DeleteContainer(const std::string& id);

  RuncOptions options_;
  RuncDriver driver_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace strata::sandbox
