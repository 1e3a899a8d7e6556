#pragma once

// Sizes a user writes (--max-cache 20GB): a decimal number with an optional
// unit, as Docker and BuildKit take them.

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata {

// "1073741824", "512k", "1.5g", "10GB", "10GiB", "20 MB". Units, case-blind:
//   b                          bytes
//   k m g t p (Docker's -m)    binary: 1024, 1024², ...
//   kib mib gib tib pib        binary
//   kb mb gb tb pb             decimal: 1000, 1000², ...
// One space may sit between number and unit. nullopt for anything else:
// empty, negative, junk, a fraction of a byte left over is rounded down,
// more than 2^63 - 1 bytes.
std::optional<uint64_t> ParseByteSize(std::string_view text);

}  // namespace strata
