#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace strata::format {

inline constexpr char32_t kRuneError = 0xFFFD;

// Decodes the UTF-8 sequence starting at s[i] (REQUIRES: i < s.size()).
// Sets *size to the bytes consumed; an invalid or truncated sequence decodes
// as kRuneError with *size 1, as Go's utf8.DecodeRuneInString does.
char32_t DecodeRune(std::string_view s, size_t i, size_t* size);

// Appends the UTF-8 encoding of `r` (kRuneError for invalid code points).
void AppendRune(std::string* out, char32_t r);

// The number of runes in `s` (each invalid byte counts as one).
size_t RuneCount(std::string_view s);

}  // namespace strata::format
