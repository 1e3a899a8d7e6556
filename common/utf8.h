#pragma once

// UTF-8 the way Go's unicode/utf8 package sees it. BuildKit and Docker are
// written in Go, so matching their behaviour byte for byte (the Dockerfile
// lexer, filepath.Match) needs Go's decoding rules: an invalid or truncated
// sequence is one U+FFFD rune of width 1.

#include <cstddef>
#include <string>
#include <string_view>

namespace strata {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune;
  size_t width;  // bytes consumed; 0 only for empty input
};

// Decodes the rune that starts s (utf8.DecodeRuneInString): overlong forms,
// surrogates and truncated sequences give {kRuneError, 1}; "" gives
// {kRuneError, 0}.
DecodedRune DecodeRune(std::string_view s);

// Appends the UTF-8 encoding of r (utf8.AppendRune); invalid runes append
// U+FFFD.
void AppendRune(std::string* out, char32_t r);

}  // namespace strata
