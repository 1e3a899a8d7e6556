#pragma once

// Platform specifiers ("linux/amd64", "linux/arm/v7") as FROM --platform and
// the TARGET*/BUILD* build args use them.

#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::dockerfile {

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64", "arm64", "arm"
  std::string variant;       // "v7", or ""
};

// Parses `os/arch[/variant]` (or a lone known OS or architecture), lower-casing
// and normalising common aliases (x86_64 -> amd64, aarch64 -> arm64,
// armhf -> arm/v7, i386 -> 386).
Result<Platform> ParsePlatform(std::string_view text);

// "os/arch" or "os/arch/variant".
std::string FormatPlatform(const Platform& p);

}  // namespace strata::dockerfile
