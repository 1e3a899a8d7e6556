#include "registry/testing/token_issuer.h"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "image/testing/test_jwt.h"
#include "registry/base64.h"

namespace strata::registry::testing {
namespace {

TestHttpServer::Response Json(int status, const std::string& reason, const nlohmann::json& body,
                              std::map<std::string, std::string> headers = {}) {
  headers["Content-Type"] = "application/json";
  return {status, reason, body.dump(), headers};
}

TestHttpServer::Response Unauthorized(const std::string& message) {
  return Json(401, "Unauthorized", {{"errors", {{{"code", "UNAUTHORIZED"}, {"message", message}}}}},
              {{"WWW-Authenticate", "Basic realm=\"strata-test-issuer\""}});
}

}  // namespace

Result<std::unique_ptr<TokenIssuer>> TokenIssuer::Start(Options options) {
  std::unique_ptr<TokenIssuer> issuer(new TokenIssuer(std::move(options)));
  if (issuer->server_.port() == 0)
    return Status::Unavailable("token issuer: cannot listen on 127.0.0.1");
  ASSIGN_OR_RETURN(image::testing::TestSigningKey key,
                   image::testing::GenerateTestSigningKey(issuer->options_.issuer));
  issuer->key_pem_ = key.private_key_pem;
  issuer->cert_der_base64_ = key.certificate_der_base64;
  std::ofstream out(issuer->cert_path(), std::ios::trunc);
  out << key.certificate_pem;
  out.close();
  if (!out) return Status::IOError(issuer->cert_path() + ": cannot write");
  TokenIssuer* self = issuer.get();
  issuer->server_.SetHandler([self](const TestHttpServer::Request& r) { return self->Handle(r); });
  return issuer;
}

std::vector<std::vector<std::string>> TokenIssuer::scope_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return scope_requests_;
}

int TokenIssuer::tokens_issued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return issued_;
}

TestHttpServer::Response TokenIssuer::Handle(const TestHttpServer::Request& request) {
  if (request.path != "/token") return {404, "Not Found", "", {}};
  std::vector<std::string> scopes = QueryValues(request.query, "scope");
  {
    std::lock_guard<std::mutex> lock(mu_);
    scope_requests_.push_back(scopes);
  }
  std::vector<std::string> services = QueryValues(request.query, "service");
  if (services.size() != 1 || services[0] != options_.service) {
    return Json(400, "Bad Request",
                {{"errors", {{{"code", "INVALID"}, {"message", "unknown service"}}}}});
  }
  bool authenticated = false;
  auto auth = request.headers.find("authorization");
  if (auth != request.headers.end()) {
    if (auth->second.rfind("Basic ", 0) != 0) return Unauthorized("Basic credentials expected");
    std::optional<std::string> plain = Base64Decode(auth->second.substr(6));
    if (!plain || *plain != options_.user + ":" + options_.password) {
      return Unauthorized("wrong user name or password");
    }
    authenticated = true;
  }
  if (!authenticated && !options_.anonymous_pull) return Unauthorized("authentication required");

  nlohmann::json access = nlohmann::json::array();
  for (const std::string& scope : scopes) {
    size_t first = scope.find(':');
    size_t last = scope.rfind(':');
    if (first == std::string::npos || last == first) continue;
    nlohmann::json actions = nlohmann::json::array();
    std::string list = scope.substr(last + 1);
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t comma = list.find(',', pos);
      std::string action =
          list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!action.empty() && (authenticated || action == "pull")) actions.push_back(action);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    access.push_back({{"type", scope.substr(0, first)},
                      {"name", scope.substr(first + 1, last - first - 1)},
                      {"actions", actions}});
  }
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int serial;
  {
    std::lock_guard<std::mutex> lock(mu_);
    serial = ++issued_;
  }
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"x5c", {cert_der_base64_}}};
  nlohmann::json claims = {{"iss", options_.issuer},
                           {"sub", authenticated ? options_.user : ""},
                           {"aud", options_.service},
                           {"exp", now + options_.expires_in},
                           {"nbf", now - 60},
                           {"iat", now - 60},
                           {"jti", "strata-test-" + std::to_string(serial)},
                           {"access", access}};
  Result<std::string> token = image::testing::SignJwtRs256(key_pem_, header.dump(), claims.dump());
  if (!token.ok()) {
    return Json(500, "Internal Server Error",
                {{"errors", {{{"code", "UNKNOWN"}, {"message", token.status().message()}}}}});
  }
  return Json(200, "OK",
              {{"token", *token}, {"access_token", *token}, {"expires_in", options_.expires_in}});
}

}  // namespace strata::registry::testing
