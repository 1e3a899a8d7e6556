#pragma once

// An htpasswd line for docker-registry's `auth: htpasswd` (which accepts
// bcrypt only), made with libxcrypt's crypt_r and a fresh "$2y$" salt, so the
// tests need no apache2-utils.

#include <string>

#include "common/result.h"

namespace strata::registry::testing {

// "user:$2y$05$…"
Result<std::string> HtpasswdLine(const std::string& user, const std::string& password);

}  // namespace strata::registry::testing
