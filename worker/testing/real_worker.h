#pragma once

// The real runc runtime and overlay snapshotter for tests, or the reason a
// test must skip on this machine (not root, no busybox-static, runc or
// overlayfs unusable).

#include <memory>
#include <string>

#include "sandbox/runc_runtime.h"
#include "snapshot/overlay_snapshotter.h"

namespace strata::worker::testing {

struct RealWorker {
  std::unique_ptr<sandbox::RuncRuntime> runtime;              // state and bundles under dir
  std::unique_ptr<snapshot::OverlaySnapshotter> snapshotter;  // root dir/snap
  std::string skip_reason;                                    // non-empty: skip the test
};

// Creates both under `dir`. Errors other than "cannot run here" are
// failures (a Status), not skips.
Result<RealWorker> OpenRealWorker(const std::string& dir);

}  // namespace strata::worker::testing
