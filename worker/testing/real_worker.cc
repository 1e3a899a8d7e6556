#include "worker/testing/real_worker.h"

#include <unistd.h>

#include "worker/testing/busybox_rootfs.h"

namespace strata::worker::testing {

Result<RealWorker> OpenRealWorker(const std::string& dir) {
  RealWorker w;
  if (geteuid() != 0) {
    w.skip_reason = "runc and overlayfs need root; run the worker tests as root";
    return w;
  }
  if (!HaveBusybox()) {
    w.skip_reason = std::string("no static busybox at ") + kBusyboxPath +
                    "; apt-get install busybox-static";
    return w;
  }
  RuncOptions options;
  options.state_dir = dir + "/state";
  options.bundle_dir = dir + "/bundles";
  ASSIGN_OR_RETURN(w.runtime, RuncRuntime::Create(options));
  if (Status probe = w.runtime->Probe(); !probe.ok()) {
    w.skip_reason = "runc is missing or broken: " + probe.ToString();
    return w;
  }
  ASSIGN_OR_RETURN(w.snapshotter, OverlaySnapshotter::Open(dir + "/snap"));
  if (Status overlay = w.snapshotter->Probe(); !overlay.ok()) {
    w.skip_reason = "cannot mount overlayfs here: " + overlay.ToString();
  }
  return w;
}

}  // namespace strata::worker::testing
