#pragma once

// What this binary is: the CMake project version, the git commit it was
// built from and when, the compiler, and the platform. `strata version`
// prints it for the client, and the coordinator's Pong carries it for the
// server part (docs/image-commands.md).

#include <string>

namespace strata {

struct BuildInfo {
  std::string version;     // "0.1.0" (CMake project version)
  std::string git_commit;  // "2e9bf2c", or "unknown" outside a checkout
  std::string built;       // "Thu Dec  3 08:47:24 2026" (UTC), Docker's layout
  std::string compiler;    // "gcc 12.2.0"
  std::string os_arch;     // "linux/amd64"
};

const BuildInfo& GetBuildInfo();

}  // namespace strata
