#pragma once

// Where the distribution API of a reference's domain lives and how to reach
// it: Docker Hub's "docker.io" is served by registry-1.docker.io; https
// unless the registry is insecure, which is (as Docker decides it)
//   - a HOST or HOST:PORT listed in RegistryClientOptions::insecure_registries,
//   - one listed in STRATA_INSECURE_REGISTRIES (comma-separated),
//   - localhost or an address of 127.0.0.0/8 or ::1, at any port.
// Plain http is used only for those; TLS is always verified otherwise.

#include <string>
#include <vector>

namespace strata::registry {

struct RegistryEndpoint {
  std::string domain;    // as the reference names it: "docker.io", "127.0.0.1:5000"
  std::string api_host;  // "registry-1.docker.io", "127.0.0.1:5000"
  bool insecure = false;
  // "https://registry-1.docker.io"
  std::string BaseUrl() const { return (insecure ? "http://" : "https://") + api_host; }
};

// `insecure` holds the configured entries (the env var is read here too).
RegistryEndpoint ResolveEndpoint(const std::string& domain,
                                 const std::vector<std::string>& insecure);

// Whether `domain` ("HOST[:PORT]") is a loopback name or address.
bool IsLoopbackRegistry(const std::string& domain);

// What `strata login` expects for a domain: "" for Docker Hub, else the domain.
std::string LoginArgument(const std::string& domain);

}  // namespace strata::registry
