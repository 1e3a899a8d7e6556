#include "common/byte_size.h"

#include <cmath>
#include <string>

#include "common/numbers.h"

namespace strata {

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  std::optional<double> number = ParseDouble(text.substr(0, digits));
  if (!number || *number < 0) return std::nullopt;
  std::string_view unit_text = text.substr(digits);
  if (!unit_text.empty() && unit_text.front() == ' ') unit_text.remove_prefix(1);
  std::string unit;
  for (char c : unit_text) unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  double scale = 0;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else {
    const std::string prefixes = "kmgtp";
    size_t power = prefixes.find(unit[0]);
    if (power == std::string::npos) return std::nullopt;
    std::string rest = unit.substr(1);
    double base = 0;
    if (rest.empty() || rest == "ib") {
      base = 1024;
    } else if (rest == "b") {
      base = 1000;
    } else {
      return std::nullopt;
    }
    scale = std::pow(base, static_cast<double>(power + 1));
  }
  double bytes = std::floor(*number * scale);
  if (!std::isfinite(bytes) || bytes >= 9223372036854775807.0) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

}  // namespace strata
