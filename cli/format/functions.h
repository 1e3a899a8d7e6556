#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/format/value.h"
#include "common/result.h"

namespace strata::format {

// A template function. Arguments arrive evaluated (missing values included);
// a failure's message is shown as "error calling NAME: message".
struct Function {
  int min_args = 0;
  int max_args = 0;  // -1: variadic
  std::function<Result<Value>(const std::vector<Value>& args)> call;
};

using FunctionTable = std::map<std::string, Function, std::less<>>;

// Go's builtins (and or not len index slice eq ne lt le gt ge print printf
// println) and Docker's additions (json split join title lower upper pad
// truncate). `and` and `or` are evaluated lazily by the executor; their
// entries here serve the eager case and the arity check.
const FunctionTable& DefaultFunctions();

// Docker's HeaderFunctions: used when a table header is rendered from a
// template, they return their first argument unchanged (json, split, join,
// title, lower, upper, truncate) so the header keeps the column names. They
// override DefaultFunctions by name.
const FunctionTable& HeaderFunctions();

}  // namespace strata::format
