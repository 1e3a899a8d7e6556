#pragma once

#include <string>
#include <vector>

namespace strata::snapshot {

// The mount points of this process's mount namespace under `prefix`
// ("/x/mounts/"), deepest first, with mountinfo's octal escapes ("\040")
// decoded.
std::vector<std::string> MountPointsUnder(const std::string& prefix);

}  // namespace strata::snapshot
