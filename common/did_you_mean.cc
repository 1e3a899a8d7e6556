#include "common/did_you_mean.h"

#include <algorithm>

namespace strata {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 4;
  for (const auto& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance && d * 2 <= std::max(word.size(), c.size())) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace strata
