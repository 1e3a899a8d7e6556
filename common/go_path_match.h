#pragma once

// Go's filepath.Match on '/'-separated paths, a building block of Docker's
// .dockerignore handling (dockerfile/) and of COPY/ADD source wildcards
// (worker/). Names and patterns are decoded as UTF-8 the way Go does
// (common/utf8.h), so '?' and classes match runes. The cleaner that goes
// with it (filepath.Clean) is common/path_clean.h.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace strata {

// filepath.Match: whether name matches pattern as a whole. Pattern syntax:
//   '*'          any run of non-'/' characters
//   '?'          one non-'/' character
//   '[' [ '^' ] { c | lo '-' hi } ']'   a character class (c may be \-escaped)
//   '\\' c       the literal c
// InvalidArgument (saying what is malformed) when the pattern is malformed,
// e.g. an unterminated '[', an empty class or a trailing '\\'; the whole
// pattern is checked, not just the part a mismatch reached.
Result<bool> GoPathMatch(std::string_view pattern, std::string_view name);

// OK when the pattern is well formed for GoPathMatch, else the same error.
Status ValidateGoPattern(std::string_view pattern);

// Whether `pattern` has an unescaped '*', '?' or '[' (BuildKit's
// containsWildcards): only such COPY/ADD sources are expanded.
bool HasWildcard(std::string_view pattern);

// The path a pattern without wildcards names: each '\\' before '*', '?',
// '[' or '\\' is dropped (`n\\?pe` -> `n?pe`); other characters stay.
std::string UnescapeGlob(std::string_view pattern);

}  // namespace strata
