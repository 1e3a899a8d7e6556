#include "cli/humanize.h"

#include <cstdio>

namespace strata::cli {

std::string HumanDuration(int64_t seconds) {
  auto fmt = [](int64_t n, const char* unit) { return std::to_string(n) + " " + unit; };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt(seconds, "seconds");
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt(minutes, "minutes");
  int64_t hours = static_cast<int64_t>(seconds / 3600.0 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt(hours, "hours");
  if (hours < 24 * 7 * 2) return fmt(hours / 24, "days");
  if (hours < 24 * 30 * 2) return fmt(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return fmt(hours / 24 / 30, "months");
  return fmt(seconds / 3600 / 24 / 365, "years");
}

std::string HumanSize(double bytes) {
  static const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int i = 0;
  while (bytes >= 1000.0 && i < 8) {
    bytes /= 1000.0;
    ++i;
  }
  char buf[32];
  snprintf(buf, sizeof(buf), "%.3g%s", bytes, kUnits[i]);
  return buf;
}

}  // namespace strata::cli
