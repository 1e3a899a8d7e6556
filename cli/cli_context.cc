#include "cli/cli_context.h"

#include <cstdlib>

namespace strata::cli {

std::string DefaultRoot() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/strata";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/root") + "/.local/share/strata";
}

}  // namespace strata::cli
