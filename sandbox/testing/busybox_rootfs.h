#pragma once

// Test helpers: a minimal root file system made from the static busybox of
// the busybox-static package.

#include <string>

#include "common/status.h"

namespace strata::sandbox::testing {

// Where the static busybox is expected.
inline constexpr char kBusyboxPath[] = "/bin/busybox";

// Whether kBusyboxPath exists and is executable.
bool HaveBusybox();

// Fills the existing directory `dir` with bin/busybox, applet symlinks in
// bin/ (sh echo cat ls id touch rm mkdir hostname wget httpd true false sleep
// env pwd grep stat kill ...), etc/passwd (root, app 1000:1000, nobody),
// etc/group (root, app, staff with app as member, nogroup), etc/motd, tmp/
// (1777), root/ and home/app/ (owned by 1000). No /proc, /dev, /sys or
// /etc/hosts: the runtime provides them.
Status MakeBusyboxRootfs(const std::string& dir);

}  // namespace strata::sandbox::testing
