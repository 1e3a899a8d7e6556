#pragma once

// Authorization for one RegistryClient's requests. Per registry host it
// remembers the scheme the registry asked for (none, Basic, Bearer) and caches
// bearer tokens per scope set until they expire, so a pull of many layers
// fetches one token.
//
// The bearer flow (distribution's token spec): a 401 carries
//   WWW-Authenticate: Bearer realm="R",service="S",scope="repository:x:pull"
// and we GET R?service=S&scope=repository:x:pull[&scope=…] (with Basic
// credentials when the store has some for the host), read `token` or
// `access_token` and `expires_in` (60 s when absent), and retry with
// "Authorization: Bearer TOKEN".
//
// Credentials and tokens are never logged nor put in error messages.
// Thread-safe.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "registry/http_client.h"
#include "registry/registry_client.h"
#include "registry/registry_endpoint.h"

namespace strata::registry {

class RegistryAuth {
 public:
  // `credentials` may be null (anonymous only). `http` must outlive this.
  RegistryAuth(HttpClient& http, std::shared_ptr<CredentialStore> credentials);

  // The "Authorization: …" header to send for `scopes` on `endpoint`, from
  // what earlier challenges taught; "" when nothing is known or needed.
  // May fetch a token (a known realm, a new or expired scope set).
  Result<std::string> Header(const RegistryEndpoint& endpoint,
                             const std::vector<std::string>& scopes);

  // Learns from a 401's WWW-Authenticate value. OK when retrying with
  // Header() may now succeed; PermissionDenied ("registry H: unauthorized: …
  // (run `strata login H`)") when it cannot: no credentials for a Basic
  // registry, or the token endpoint refused. `registry_message` is the 401's
  // error text for the message. `second` says a retry already failed.
  Status OnChallenge(const RegistryEndpoint& endpoint, const std::vector<std::string>& scopes,
                     const std::string& www_authenticate, const std::string& registry_message,
                     bool second);

 private:
  enum class Scheme { kUnknown, kBasic, kBearer };
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  struct HostState {
    Scheme scheme = Scheme::kUnknown;
    std::string realm;
    std::string service;
    std::map<std::string, Token> tokens;  // by scope set and credentials (TokenKey)
  };

  Result<std::optional<Credentials>> CredentialsFor(const RegistryEndpoint& endpoint);
  // The token cache key: the scope set and a digest of the credentials.
  Result<std::string> TokenKey(const RegistryEndpoint& endpoint,
                               const std::vector<std::string>& scopes);
  Result<Token> FetchToken(const RegistryEndpoint& endpoint, const std::string& realm,
                           const std::string& service, const std::vector<std::string>& scopes);
  Status Denied(const RegistryEndpoint& endpoint, const std::string& detail) const;

  HttpClient& http_;
  std::shared_ptr<CredentialStore> credentials_;
  std::mutex mu_;
  std::map<std::string, HostState> hosts_;  // GUARDED_BY(mu_), by domain
};

// "%XX"-escapes everything but RFC 3986's unreserved characters.
std::string UrlEscape(const std::string& text);

}  // namespace strata::registry
