#include "worker/testing/real_worker.h"

#include <unistd.h>

#include "common/testing/machine_probe.h"
#include "sandbox/testing/busybox_rootfs.h"

namespace strata::worker::testing {

Result<RealWorker> OpenRealWorker(const std::string& dir) {
  RealWorker w;
  w.skip_reason = strata::testing::WhyMachineCannotRunContainers();
  if (!w.skip_reason.empty()) return w;
  if (!sandbox::testing::HaveBusybox()) {
    w.skip_reason = std::string("no static busybox at ") + sandbox::testing::kBusyboxPath +
                    "; apt-get install busybox-static";
    return w;
  }
  sandbox::RuncOptions options;
  options.state_dir = dir + "/state";
  options.bundle_dir = dir + "/bundles";
  // The machine can run containers: from here on, strata's own runtime and
  // snapshotter failing their probes is a failure of strata, not a skip.
  ASSIGN_OR_RETURN(w.runtime, sandbox::RuncRuntime::Create(options));
  TRY(w.runtime->Probe().Annotate("strata's runc runtime on a machine where runc works"));
  ASSIGN_OR_RETURN(w.snapshotter, snapshot::OverlaySnapshotter::Open(dir + "/snap"));
  TRY(w.snapshotter->Probe().Annotate(
      "strata's overlay snapshotter on a machine where overlay mounts work"));
  return w;
}

}  // namespace strata::worker::testing
