#include "common/duration.h"

#include <cmath>
#include <utility>


namespace strata {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The nanoseconds of `unit`, 0 when it is not one.
int64_t UnitNanos(std::string_view unit) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // µs (U+00B5)
      {"\xCE\xBCs", 1'000},  // μs (U+03BC)
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  };
  for (const auto& [name, nanos] : kUnits) {
    if (unit == name) return nanos;
  }
  return 0;
}

}  // namespace

std::optional<int64_t> ParseGoDuration(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  long double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (IsDigit(text[i]) || text[i] == '.')) ++i;
    std::string_view number = text.substr(start, i - start);
    if (number.empty() || number == "." || number.find('.') != number.rfind('.')) {
      return std::nullopt;
    }
    size_t unit_start = i;
    while (i < text.size() && !IsDigit(text[i]) && text[i] != '.') ++i;
    int64_t unit = UnitNanos(text.substr(unit_start, i - unit_start));
    if (unit == 0) return std::nullopt;
    long double value = 0, scale = 1;
    bool fraction = false;
    for (char c : number) {
      if (c == '.') {
        fraction = true;
        continue;
      }
      if (fraction) {
        scale /= 10;
        value += (c - '0') * scale;
      } else {
        value = value * 10 + (c - '0');
      }
      if (value > 1e20L) return std::nullopt;
    }
    total += value * unit;
    if (total > static_cast<long double>(INT64_MAX)) return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(total));
}

}  // namespace strata
