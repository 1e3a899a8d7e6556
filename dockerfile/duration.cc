#include "dockerfile/duration.h"

#include <cstdint>
#include <limits>

namespace strata::dockerfile {
namespace {

Status InvalidDuration(std::string_view text) {
  return Status::InvalidArgument("time: invalid duration \"" + std::string(text) + "\"");
}

// Nanoseconds per unit, or 0 when `unit` is not one.
uint64_t UnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000ULL * 1000 * 1000;
  if (unit == "m") return 60ULL * 1000 * 1000 * 1000;
  if (unit == "h") return 3600ULL * 1000 * 1000 * 1000;
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return InvalidDuration(text);

  // Accumulate in long double to keep fractions of large units exact enough;
  // overflow is checked against int64 at the end of every term.
  long double total = 0;
  const long double kMax = static_cast<long double>(std::numeric_limits<int64_t>::max());
  while (!s.empty()) {
    if (!IsDigit(s[0]) && s[0] != '.') return InvalidDuration(text);
    size_t i = 0;
    long double whole = 0;
    bool digits = false;
    while (i < s.size() && IsDigit(s[i])) {
      whole = whole * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    long double fraction = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 1;
      while (i < s.size() && IsDigit(s[i])) {
        scale /= 10;
        fraction += (s[i] - '0') * scale;
        digits = true;
        ++i;
      }
    }
    if (!digits) return InvalidDuration(text);
    size_t unit_start = i;
    while (i < s.size() && s[i] != '.' && !IsDigit(s[i])) ++i;
    std::string_view unit = s.substr(unit_start, i - unit_start);
    if (unit.empty()) {
      return Status::InvalidArgument("time: missing unit in duration \"" + std::string(text) +
                                     "\"");
    }
    uint64_t nanos = UnitNanos(unit);
    if (nanos == 0) {
      return Status::InvalidArgument("time: unknown unit \"" + std::string(unit) +
                                     "\" in duration \"" + std::string(text) + "\"");
    }
    total += (whole + fraction) * static_cast<long double>(nanos);
    if (total > kMax) return InvalidDuration(text);
    s.remove_prefix(i);
  }
  auto value = static_cast<int64_t>(total);
  return std::chrono::nanoseconds(negative ? -value : value);
}

namespace {

// Appends v / 10^digits with the fraction's trailing zeros dropped.
void AppendFixed(std::string* out, uint64_t v, int digits) {
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  *out += std::to_string(v / scale);
  uint64_t frac = v % scale;
  if (frac == 0) return;
  std::string f = std::to_string(frac);
  f.insert(0, digits - f.size(), '0');
  while (!f.empty() && f.back() == '0') f.pop_back();
  *out += "." + f;
}

}  // namespace

std::string FormatGoDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (ns < 0) out = "-";
  if (u < 1000) {
    return out + std::to_string(u) + "ns";
  }
  if (u < 1000 * 1000) {
    AppendFixed(&out, u, 3);
    return out + "\xC2\xB5s";
  }
  if (u < 1000ULL * 1000 * 1000) {
    AppendFixed(&out, u, 6);
    return out + "ms";
  }
  const uint64_t kSecond = 1000ULL * 1000 * 1000;
  uint64_t hours = u / (3600 * kSecond);
  uint64_t rest = u % (3600 * kSecond);
  uint64_t minutes = rest / (60 * kSecond);
  uint64_t seconds_ns = rest % (60 * kSecond);
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  AppendFixed(&out, seconds_ns, 9);
  return out + "s";
}

}  // namespace strata::dockerfile
