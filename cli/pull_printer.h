#pragma once

// What `strata pull` prints, as `docker pull` does when its output is not a
// terminal (the per-layer status lines, without the redrawn progress bars):
//
//   Using default tag: latest                      (no tag or digest given)
//   latest: Pulling from library/busybox
//   3f57d9401f8d: Pulling fs layer
//   3f57d9401f8d: Verifying Checksum
//   3f57d9401f8d: Download complete
//   3f57d9401f8d: Pull complete
//   Digest: sha256:…
//   Status: Downloaded newer image for busybox:latest   (or "Image is up to date for")
//   docker.io/library/busybox:latest
//
// "Downloading" updates carry bytes and are not printed; a status repeated
// for one id is printed once. With -q only the last line. Not thread-safe.

#include <ostream>
#include <set>
#include <string>

#include "protocol/registry.pb.h"

namespace strata::cli {

class PullPrinter {
 public:
  // `typed`: the name as the user gave it; `all_tags`: -a.
  PullPrinter(std::ostream& out, std::string typed, bool quiet, bool all_tags);

  // Before the request: "Using default tag: latest" when due.
  void Start();
  void OnProgress(const v1::PullProgress& progress);
  void OnResult(const v1::PullResult& result);

 private:
  std::ostream& out_;
  const std::string typed_;
  const bool quiet_;
  const bool all_tags_;
  bool any_newer_ = false;
  std::set<std::string> printed_;  // "id\tstatus" already shown
};

}  // namespace strata::cli
