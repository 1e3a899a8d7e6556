#pragma once

#include <cstddef>
#include <string>

namespace strata {

// `n` random lowercase hex characters from the kernel's getrandom, for
// names that must not collide (temporary files, container IDs).
std::string RandomHex(size_t n);

}  // namespace strata
