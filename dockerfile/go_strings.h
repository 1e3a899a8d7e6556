#pragma once

// The few Go string semantics that BuildKit's parse output depends on, so
// that strata's parser and dump agree with BuildKit byte for byte:
// strings.TrimSpace, strings.ToLower and strconv.Quote, plus BuildKit's
// byte-wise whitespace test. Rune decoding and character classes come from
// dockerfile/go_unicode.h.
//
// ToLower and Quote's "printable" test are exact for ASCII and Latin-1 and
// approximate (common blocks only) for the rest of Unicode.

#include <string>
#include <string_view>

#include "dockerfile/go_unicode.h"

namespace strata::dockerfile::go {

using ::strata::dockerfile::AppendRune;
using ::strata::dockerfile::DecodedRune;
using ::strata::dockerfile::DecodeRune;
using ::strata::dockerfile::kRuneError;
inline bool IsSpace(char32_t r) { return IsGoSpace(r); }
inline bool IsLetter(char32_t r) { return IsGoLetter(r); }
inline bool IsDigit(char32_t r) { return IsGoDigit(r); }

// unicode.IsSpace(rune(b)) on a single byte, as BuildKit's byte-wise loops
// (flags, HEALTHCHECK) use it: 0x85 and 0xA0 count as spaces.
inline bool IsSpaceByte(unsigned char b) {
  return b == ' ' || (b >= '\t' && b <= '\r') || b == 0x85 || b == 0xA0;
}

// strings.TrimSpace, strings.TrimLeftFunc(s, unicode.IsSpace).
std::string_view TrimSpace(std::string_view s);
std::string_view TrimLeftSpace(std::string_view s);

// strings.ToLower.
std::string ToLower(std::string_view s);

// strconv.Quote: a double-quoted Go string literal.
std::string Quote(std::string_view s);
void AppendQuoted(std::string* out, std::string_view s);

}  // namespace strata::dockerfile::go
