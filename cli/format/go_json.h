#pragma once

#include <string>

#include "cli/format/value.h"

namespace strata::format {

// Encodes `json` as Docker's template function `json` does: Go's
// encoding/json with HTML escaping off, compact, no trailing newline. Object
// members keep their order; strings escape only '"', '\\', control characters,
// U+2028 and U+2029, and invalid UTF-8 becomes U+FFFD; floats follow
// FormatJsonFloat.
std::string EncodeGoJson(const Json& json);

}  // namespace strata::format
