#pragma once

#include <cstdint>
#include <string>

namespace strata::cli {

// docker/go-units HumanDuration: "Less than a second", "About a minute",
// "5 minutes", "About an hour", "3 days", ...
std::string HumanDuration(int64_t seconds);

// docker/go-units HumanSizeWithPrecision(size, 3): decimal units, "1.23MB".
std::string HumanSize(double bytes);

}  // namespace strata::cli
