#include "registry/registry_auth.h"

#include <nlohmann/json.hpp>

#include "image/digest.h"
#include "registry/auth_challenge.h"
#include "registry/base64.h"
#include "registry/registry_error.h"

namespace strata::registry {
namespace {

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::string LoginHint(const RegistryEndpoint& endpoint) {
  std::string arg = LoginArgument(endpoint.domain);
  return "(run `strata login" + (arg.empty() ? "" : " " + arg) + "`)";
}

}  // namespace

std::string UrlEscape(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

RegistryAuth::RegistryAuth(HttpClient& http, std::shared_ptr<CredentialStore> credentials)
    : http_(http), credentials_(std::move(credentials)) {}

Result<std::optional<Credentials>> RegistryAuth::CredentialsFor(const RegistryEndpoint& endpoint) {
  if (credentials_ == nullptr) return std::optional<Credentials>();
  return credentials_->Get(endpoint.domain);
}

Status RegistryAuth::Denied(const RegistryEndpoint& endpoint, const std::string& detail) const {
  return Status::PermissionDenied("registry " + endpoint.domain + ": " + detail + " " +
                                  LoginHint(endpoint));
}

Result<std::string> RegistryAuth::TokenKey(const RegistryEndpoint& endpoint,
                                           const std::vector<std::string>& scopes) {
  // A token belongs to the credentials it was fetched with: after a logout
  // or a new login the cached one must not be used.
  ASSIGN_OR_RETURN(std::optional<Credentials> creds, CredentialsFor(endpoint));
  std::string who = creds ? Digest::Sha256Of(creds->username + ":" + creds->password).ToString()
                          : std::string("anonymous");
  return JoinScopes(scopes) + "\n" + who;
}

Result<std::string> RegistryAuth::Header(const RegistryEndpoint& endpoint,
                                         const std::vector<std::string>& scopes) {
  ASSIGN_OR_RETURN(std::string key, TokenKey(endpoint, scopes));
  std::string realm, service;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = hosts_.find(endpoint.domain);
    if (it == hosts_.end() || it->second.scheme == Scheme::kUnknown) return std::string();
    HostState& h = it->second;
    if (h.scheme == Scheme::kBasic) {
      // Credentials are read again below (outside the lock).
    } else {
      auto t = h.tokens.find(key);
      if (t != h.tokens.end() && t->second.expires > std::chrono::steady_clock::now()) {
        return "Authorization: Bearer " + t->second.value;
      }
      realm = h.realm;
      service = h.service;
    }
  }
  if (realm.empty()) {
    ASSIGN_OR_RETURN(std::optional<Credentials> creds, CredentialsFor(endpoint));
    if (!creds) return std::string();
    return "Authorization: Basic " + Base64Encode(creds->username + ":" + creds->password);
  }
  ASSIGN_OR_RETURN(Token token, FetchToken(endpoint, realm, service, scopes));
  std::lock_guard<std::mutex> lock(mu_);
  hosts_[endpoint.domain].tokens[key] = token;
  return "Authorization: Bearer " + token.value;
}

Status RegistryAuth::OnChallenge(const RegistryEndpoint& endpoint,
                                 const std::vector<std::string>& scopes,
                                 const std::string& www_authenticate,
                                 const std::string& registry_message, bool second) {
  std::string detail =
      registry_message.empty() ? "unauthorized: authentication required" : registry_message;
  if (second) return Denied(endpoint, detail);
  for (const AuthChallenge& c : ParseAuthChallenges(www_authenticate)) {
    if (c.scheme == "bearer") {
      auto realm = c.params.find("realm");
      if (realm == c.params.end() || realm->second.empty()) continue;
      std::string service = c.params.count("service") ? c.params.at("service") : "";
      std::unique_lock<std::mutex> lock(mu_);
      HostState& h = hosts_[endpoint.domain];
      h.scheme = Scheme::kBearer;
      h.realm = realm->second;
      h.service = service;
      lock.unlock();
      ASSIGN_OR_RETURN(std::string key, TokenKey(endpoint, scopes));
      lock.lock();
      h.tokens.erase(key);  // it did not do: get a new one
      return Status::OK();
    }
    if (c.scheme == "basic") {
      ASSIGN_OR_RETURN(std::optional<Credentials> creds, CredentialsFor(endpoint));
      if (!creds) return Denied(endpoint, detail);
      std::lock_guard<std::mutex> lock(mu_);
      hosts_[endpoint.domain].scheme = Scheme::kBasic;
      return Status::OK();
    }
  }
  return Denied(endpoint, detail + " (the registry offers no Basic or Bearer authentication)");
}

Result<RegistryAuth::Token> RegistryAuth::FetchToken(const RegistryEndpoint& endpoint,
                                                     const std::string& realm,
                                                     const std::string& service,
                                                     const std::vector<std::string>& scopes) {
  HttpRequest request;
  request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
  bool first = true;
  if (!service.empty()) {
    request.url += "service=" + UrlEscape(service);
    first = false;
  }
  for (const std::string& scope : scopes) {
    request.url += (first ? "" : "&") + std::string("scope=") + UrlEscape(scope);
    first = false;
  }
  ASSIGN_OR_RETURN(std::optional<Credentials> creds, CredentialsFor(endpoint));
  if (creds) {
    request.headers.push_back("Authorization: Basic " +
                              Base64Encode(creds->username + ":" + creds->password));
  }
  Result<HttpResponse> response = http_.Send(request);
  if (!response.ok()) {
    return Status(response.status().code(), "registry " + endpoint.domain +
                                                ": cannot get a token from " + realm + ": " +
                                                response.status().message())
        .WithRetryable(response.status().retryable());
  }
  if (response->status == 401 || response->status == 403) {
    std::string message = RegistryErrorMessage(response->body);
    return Denied(endpoint,
                  std::string(creds ? "the token server " + realm + " refused the credentials"
                                    : "the token server " + realm + " wants credentials") +
                      (message.empty() ? "" : ": " + message));
  }
  if (response->status != 200) {
    std::string message = RegistryErrorMessage(response->body);
    Status s = Status::Unavailable("registry " + endpoint.domain + ": the token server " + realm +
                                   " answered HTTP " + std::to_string(response->status) +
                                   (message.empty() ? "" : ": " + message));
    return s.WithRetryable(response->status >= 500 || response->status == 429);
  }
  nlohmann::json doc = nlohmann::json::parse(response->body, nullptr, false);
  Token token;
  if (doc.is_object()) {
    for (const char* field : {"token", "access_token"}) {
      auto it = doc.find(field);
      if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
        token.value = it->get<std::string>();
        break;
      }
    }
  }
  if (token.value.empty()) {
    return Status::Unavailable("registry " + endpoint.domain + ": the token server " + realm +
                               " sent no token")
        .WithRetryable(false);
  }
  int64_t expires_in = 60;
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number_integer()) {
    expires_in = std::max<int64_t>(it->get<int64_t>(), 1);
  }
  // Refresh a little early so a token never expires on the way.
  token.expires = std::chrono::steady_clock::now() +
                  std::chrono::seconds(expires_in > 20 ? expires_in - 10 : expires_in);
  return token;
}

}  // namespace strata::registry
