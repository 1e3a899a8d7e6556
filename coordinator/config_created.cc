#include "coordinator/config_created.h"

#include <cstdio>
#include <ctime>

namespace strata::coordinator {

int64_t CreatedUnixNanos(const std::string& text) {
  struct tm tm = {};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return 0;
  int64_t nanos = 0;
  if (*rest == '.') {
    int64_t scale = 100000000;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, scale /= 10) nanos += (*rest - '0') * scale;
  }
  int64_t offset = 0;
  if (*rest == '+' || *rest == '-') {
    int hh = 0, mm = 0;
    if (sscanf(rest + 1, "%d:%d", &hh, &mm) == 2)
      offset = (hh * 3600 + mm * 60) * (*rest == '+' ? 1 : -1);
  }
  return (static_cast<int64_t>(timegm(&tm)) - offset) * 1000000000LL + nanos;
}

}  // namespace strata::coordinator
