#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "cli/format/parse_tree.h"
#include "common/result.h"

namespace strata::format {

// Parses a template into its body. `is_function` says whether a name is a
// callable function; calls to others fail at parse time, as in Go.
// Errors read like Go's: `template: :LINE: function "foo" not defined`.
// {{define}}, {{template}} and {{block}} are not supported.
Result<std::vector<Node>> ParseTemplate(std::string_view text,
                                        const std::function<bool(std::string_view)>& is_function);

}  // namespace strata::format
