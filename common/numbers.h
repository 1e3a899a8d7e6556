// Checked conversions of text to numbers: never throw, never accept junk.
// Use these for anything a user wrote (Dockerfiles, flags, templates, names
// read from disk) instead of std::sto*, which throw on bad or large input.
#ifndef STRATA_COMMON_NUMBERS_H_
#define STRATA_COMMON_NUMBERS_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata {

// A whole decimal number with an optional leading '+' or '-' and nothing
// else; nullopt when the text is empty, has other characters, or does not
// fit in int64_t.
std::optional<int64_t> ParseInt64(std::string_view text);

// ParseInt64 limited to [min, max]; nullopt outside.
std::optional<int64_t> ParseInt64InRange(std::string_view text, int64_t min, int64_t max);

// A finite decimal floating-point number ("1", "1.5", ".5", "1e3"); nullopt
// for anything else (".", "", "inf", "nan", trailing characters).
std::optional<double> ParseDouble(std::string_view text);

}  // namespace strata

#endif  // STRATA_COMMON_NUMBERS_H_
