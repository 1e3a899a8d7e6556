#pragma once

// Go's path/filepath.Match on '/'-separated paths, for COPY/ADD source
// wildcards on the worker (worker/ may not depend on dockerfile/, whose
// GoPathMatch the front end uses to validate the same patterns).

#include <string_view>

#include "common/result.h"

namespace strata::worker {

// Whether `name` matches `pattern` as a whole:
//   '*'   any run of non-'/' bytes      '?'  one non-'/' byte
//   '[' [ '^' ] { c | lo '-' hi } ']'    a byte class (c may be '\'-escaped)
//   '\' c the literal c
// InvalidArgument naming the pattern when it is malformed (unterminated
// '[', empty class, trailing '\').
Result<bool> GoGlobMatch(std::string_view pattern, std::string_view name);

// Whether `pattern` has an unescaped '*', '?' or '[' (BuildKit's
// containsWildcards): only such paths are expanded.
bool HasWildcard(std::string_view pattern);

}  // namespace strata::worker
