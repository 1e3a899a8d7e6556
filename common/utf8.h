#pragma once

// UTF-8 the way Go's unicode/utf8 package sees it. BuildKit and Docker are
// written in Go, so matching their behaviour byte for byte (the Dockerfile
// lexer, filepath.Match, the --format templates) needs Go's decoding rules:
// an invalid or truncated sequence is one U+FFFD rune of width 1. This is
// strata's one UTF-8 decoder; walk text with it rather than by bit masks.

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

// Decodes the rune that ends s (utf8.DecodeLastRuneInString): when the
// last bytes are not one whole valid rune, {kRuneError, 1}; "" gives
// {kRuneError, 0}.
DecodedRune DecodeLastRune(std::string_view s);

// Appends the UTF-8 encoding of r (utf8.AppendRune); invalid runes append
// U+FFFD.
void AppendRune(std::string* out, char32_t r);

// The number of runes in s (utf8.RuneCountInString): each byte of an
// invalid or truncated sequence counts as one.
size_t RuneCount(std::string_view s);

}  // namespace strata
