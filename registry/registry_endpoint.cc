#include "registry/registry_endpoint.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <string_view>

namespace strata::registry {
namespace {

// "HOST" of "HOST:PORT", "[::1]:5000" -> "::1".
std::string HostOf(const std::string& domain) {
  if (!domain.empty() && domain[0] == '[') {
    size_t close = domain.find(']');
    return close == std::string::npos ? domain : domain.substr(1, close - 1);
  }
  size_t colon = domain.rfind(':');
  return colon == std::string::npos ? domain : domain.substr(0, colon);
}

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string_view part =
        text.substr(pos, comma == std::string_view::npos ? text.size() - pos : comma - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

// An entry names the domain exactly ("h:5000") or its host at any port ("h").
bool Listed(const std::string& domain, const std::vector<std::string>& entries) {
  std::string host = HostOf(domain);
  for (std::string e : entries) {
    for (std::string_view scheme : {"http://", "https://"}) {
      if (e.rfind(scheme, 0) == 0) e = e.substr(scheme.size());
    }
    while (!e.empty() && e.back() == '/') e.pop_back();
    if (e == domain || e == host) return true;
  }
  return false;
}

}  // namespace

bool IsLoopbackRegistry(const std::string& domain) {
  std::string host = HostOf(domain);
  if (host == "localhost" || host == "::1") return true;
  in_addr addr{};
  if (::inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

RegistryEndpoint ResolveEndpoint(const std::string& domain,
                                 const std::vector<std::string>& insecure) {
  RegistryEndpoint e;
  e.domain = domain;
  e.api_host =
      domain == "docker.io" || domain == "index.docker.io" ? "registry-1.docker.io" : domain;
  std::vector<std::string> from_env;
  if (const char* env = std::getenv("STRATA_INSECURE_REGISTRIES"); env != nullptr) {
    from_env = SplitCommas(env);
  }
  e.insecure = IsLoopbackRegistry(domain) || Listed(domain, insecure) || Listed(domain, from_env);
  return e;
}

std::string LoginArgument(const std::string& domain) {
  return domain == "docker.io" || domain == "index.docker.io" ? "" : domain;
}

}  // namespace strata::registry
