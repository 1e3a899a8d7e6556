#include "registry/testing/htpasswd.h"

#include <crypt.h>

#include <cstring>
#include <memory>

namespace strata::registry::testing {

Result<std::string> HtpasswdLine(const std::string& user, const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2y$", 5, nullptr, 0, salt, sizeof(salt)) == nullptr) {
    return Status::Internal("crypt_gensalt_rn($2y$) failed: " + std::string(std::strerror(errno)));
  }
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* hash = crypt_r(password.c_str(), salt, data.get());
  if (hash == nullptr || std::strncmp(hash, "$2y$", 4) != 0) {
    return Status::Internal("crypt_r with a bcrypt salt failed (libxcrypt without bcrypt?)");
  }
  return user + ":" + hash;
}

}  // namespace strata::registry::testing
