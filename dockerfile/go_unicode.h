#pragma once

// Runes the way Go's unicode/utf8 and unicode packages see them. BuildKit's
// lexer and Docker's pattern matcher are written in Go, so matching their
// behaviour byte for byte needs Go's decoding rules (an invalid byte is one
// U+FFFD rune of width 1) and Go's character classes.

#include <cstddef>
#include <string>
#include <string_view>

namespace strata::dockerfile {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune;
  size_t width;  // bytes consumed; 0 only for empty input
};

// Decodes the rune that starts s (utf8.DecodeRuneInString): overlong forms,
// surrogates and truncated sequences give {kRuneError, 1}.
DecodedRune DecodeRune(std::string_view s);

// Appends the UTF-8 encoding of r (utf8.AppendRune); invalid runes append
// U+FFFD.
void AppendRune(std::string* out, char32_t r);

// unicode.IsLetter, unicode.IsDigit, unicode.IsSpace. The tables follow
// Unicode 14.0.
bool IsGoLetter(char32_t r);
bool IsGoDigit(char32_t r);
bool IsGoSpace(char32_t r);

}  // namespace strata::dockerfile
