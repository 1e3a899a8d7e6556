#pragma once

// Durations as Go's time.ParseDuration writes them, the form Docker's
// flags take ("90s", "1m30s", "1.5h", "250ms"): a sequence of decimal
// numbers, each with a unit (ns, us or µs, ms, s, m, h). Checked: never
// throws, never accepts junk.

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata {

// Nanoseconds; nullopt for an empty text, a number without a unit, an
// unknown unit, a sign, or a total beyond int64_t. "0" alone is zero.
std::optional<int64_t> ParseGoDuration(std::string_view text);

}  // namespace strata
