#pragma once

// Whether this machine can run the container tests at all, decided without
// any of strata's own code: a broken snapshotter or runtime must fail its
// tests, never turn them into skips.

#include <string>

namespace strata::testing {

// Empty when the machine can: root, a working `runc --version`, overlay in
// /proc/filesystems and an overlay mount made with mount(2) directly in a
// scratch directory under `scratch_parent`. Otherwise why not, to print as
// the skip reason.
std::string WhyMachineCannotRunContainers(const std::string& scratch_parent = "/tmp");

}  // namespace strata::testing
