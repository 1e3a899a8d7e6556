#pragma once

// Durations written the way Go's time.ParseDuration reads them ("30s",
// "1m30s", "1.5h", "300ms"), as HEALTHCHECK's flags take them.

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::dockerfile {

// Parses a Go duration: an optional sign, then one or more decimal numbers
// (fraction allowed) each followed by a unit: ns, us (µs, μs), ms, s, m, h.
// "0" alone needs no unit. Errors use Go's wording, e.g.
// `time: invalid duration "5x"`.
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

// Formats as Go's Duration.String(): "1m30s", "1h0m0s", "1.5s", "300ms", "0s".
std::string FormatGoDuration(std::chrono::nanoseconds d);

}  // namespace strata::dockerfile
