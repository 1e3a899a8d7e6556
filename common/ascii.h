#pragma once

// ASCII text helpers for protocol text (HTTP header names and values,
// registry hosts, option values): never locale-dependent.

#include <string>
#include <string_view>

namespace strata {

// `s` with A-Z turned into a-z; every other byte as it is.
std::string AsciiLower(std::string_view s);

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string TrimAsciiSpace(std::string_view s);

}  // namespace strata
