#include "coordinator/request_credentials.h"

namespace strata::coordinator {

std::string NormalizeRegistryHost(std::string host) {
  for (const char* scheme : {"https://", "http://"}) {
    if (host.rfind(scheme, 0) == 0) host = host.substr(std::string(scheme).size());
  }
  if (size_t slash = host.find('/'); slash != std::string::npos) host.resize(slash);
  if (host == "index.docker.io" || host == "registry-1.docker.io") return "docker.io";
  return host;
}

RequestCredentials::RequestCredentials(const v1::RegistryAuth& auth)
    : server_(NormalizeRegistryHost(auth.server())) {
  if (!auth.username().empty() || !auth.password().empty()) {
    credentials_ = registry::Credentials{auth.username(), auth.password()};
  }
}

Result<std::optional<registry::Credentials>> RequestCredentials::Get(const std::string& host) {
  if (!credentials_ || NormalizeRegistryHost(host) != server_) {
    return std::optional<registry::Credentials>();
  }
  return credentials_;
}

Status RequestCredentials::Put(const std::string& host, const registry::Credentials&) {
  return Status::PermissionDenied("the coordinator does not store credentials (for " + host +
                                  "); run `strata login` on the client");
}

Status RequestCredentials::Erase(const std::string& host) {
  return Status::PermissionDenied("the coordinator does not store credentials (for " + host +
                                  "); run `strata logout` on the client");
}

}  // namespace strata::coordinator
