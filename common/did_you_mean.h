#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata {

// Levenshtein distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a likely
// typo (ninja's rule: distance <= 3 and < half the word), else "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace strata
