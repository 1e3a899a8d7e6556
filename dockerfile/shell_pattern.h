#pragma once

// The patterns of ${V#p}, ${V##p}, ${V%p}, ${V%%p}, ${V/p/r} and ${V//p/r},
// matched the way BuildKit does it: it turns a pattern into a Go regular
// expression where `*` is `.*` (`.*?` for the shortest forms), `?` is `.`
// (neither crosses a newline), `\*`, `\?`, `\\` are literals, `\}` and `\/`
// drop their backslash, and every other character, `[` included, is literal.
// Matches follow Go's leftmost-first rules; values are read rune by rune
// with Go's UTF-8 decoding.

#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::dockerfile {

// ${V#p} (greedy=false) and ${V##p} (greedy=true): value without the
// shortest/longest prefix matching pattern; unchanged when nothing matches.
// Errors: "invalid pattern (<p>) in substitution: invalid escape '\x'".
Result<std::string> TrimShellPatternPrefix(std::string_view pattern, std::string_view value,
                                           bool greedy);

// ${V%p} and ${V%%p}: the same from the end (BuildKit reverses pattern and
// value, so a value holding invalid UTF-8 comes back with U+FFFD in place).
Result<std::string> TrimShellPatternSuffix(std::string_view pattern, std::string_view value,
                                           bool greedy);

// ${V/p/r} (all=false): the leftmost longest match replaced by replacement
// as is. ${V//p/r} (all=true): every match replaced, with Go's
// Regexp.ReplaceAllString template rules ($0 / ${0} is the match, $$ a
// dollar, other $names expand to nothing).
Result<std::string> ReplaceShellPattern(std::string_view pattern, std::string_view value,
                                        std::string_view replacement, bool all);

}  // namespace strata::dockerfile
