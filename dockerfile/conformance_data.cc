#include "dockerfile/conformance_data.h"

#include <cstdlib>

namespace strata::dockerfile {

std::filesystem::path ConformanceDataDir() {
  if (const char* dir = std::getenv("STRATA_CONFORMANCE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return STRATA_CONFORMANCE_DATA_DIR;
}

}  // namespace strata::dockerfile
