#include "cli/registry_auth.h"

namespace strata::cli {

v1::RegistryAuth RegistryAuthFor(const CliContext&, const std::string& host) {
  v1::RegistryAuth auth;
  auth.set_server(host);
  // Anonymous until the credential store of `strata login` (registry/) is in
  // this tree; it fills username and password here.
  return auth;
}

}  // namespace strata::cli
