#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/format/functions.h"
#include "cli/format/parse_tree.h"
#include "common/status.h"

namespace strata::format {

// Runs a parsed template body against `data`, appending to *out. Functions
// are looked up in `overrides` first, then in `functions`. On error *out
// holds the output produced before it; the message reads like Go's:
// `template: :1:2: executing "" at <.A.B>: can't evaluate field B in type string`.
// `text` is the template source, for line and column numbers.
Status ExecuteTemplate(std::string_view text, const std::vector<Node>& body, const Json& data,
                       const FunctionTable& functions, const FunctionTable* overrides,
                       std::string* out);

}  // namespace strata::format
