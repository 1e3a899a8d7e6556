#pragma once

#include <string>

#include "common/status.h"

namespace strata {

// Creates `path` and its missing parents (mkdir -p) with `mode`.
Status MakeDirs(const std::string& path, unsigned mode = 0700);

}  // namespace strata
