#pragma once

// Runes the way Go's unicode/utf8 and unicode packages see them. BuildKit's
// lexer is written in Go, so matching its behaviour byte for byte needs Go's
// decoding rules (common/utf8.h) and Go's character classes (here).

#include "common/utf8.h"

namespace strata::dockerfile {

// The UTF-8 codec lives in common/utf8.h (filepath.Match needs it too).
using ::strata::AppendRune;
using ::strata::DecodedRune;
using ::strata::DecodeRune;
using ::strata::kRuneError;

// unicode.IsLetter, unicode.IsDigit, unicode.IsSpace. The tables follow
// Unicode 14.0.
bool IsGoLetter(char32_t r);
bool IsGoDigit(char32_t r);
bool IsGoSpace(char32_t r);

}  // namespace strata::dockerfile
