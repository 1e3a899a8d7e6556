#pragma once

// Standard base64 (RFC 4648 §4, with padding), for Basic credentials and the
// `auth` field of Docker's config.json.

#include <optional>
#include <string>
#include <string_view>

namespace strata::registry {

std::string Base64Encode(std::string_view bytes);
// nullopt for anything but well-formed base64 (padding optional, no spaces).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace strata::registry
