#pragma once

// A token server for docker-registry's `auth: token` on 127.0.0.1 (a
// TestHttpServer): GET /token?service=S&scope=repository:NAME:ACTIONS… answers
// {"token": JWT, "access_token": JWT, "expires_in": 300} with an RS256 JWT
// signed by a key made at start (image/testing/test_jwt.h) whose
// self-signed certificate is written to cert_path() for the registry's
// rootcertbundle. Requests must carry Basic credentials of the one account
// (user/password) unless anonymous pull is allowed, in which case an
// anonymous token grants pull only. Test-only. Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "registry/testing/test_http_server.h"

namespace strata::registry::testing {

class TokenIssuer {
 public:
  struct Options {
    std::string dir;  // where the certificate is written
    std::string user = "tester";
    std::string password = "s3cret-pass";
    std::string service = "strata-test-registry";
    std::string issuer = "strata-test-issuer";
    bool anonymous_pull = false;
    int expires_in = 300;
  };

  static Result<std::unique_ptr<TokenIssuer>> Start(Options options);

  std::string realm() const { return server_.Url("/token"); }
  const Options& options() const { return options_; }
  std::string cert_path() const { return options_.dir + "/token-cert.pem"; }
  // The scope parameters of every token request so far, in order.
  std::vector<std::vector<std::string>> scope_requests() const;
  int tokens_issued() const;

 private:
  explicit TokenIssuer(Options options) : options_(std::move(options)) {}
  TestHttpServer::Response Handle(const TestHttpServer::Request& request);

  Options options_;
  std::string key_pem_;
  std::string cert_der_base64_;
  mutable std::mutex mu_;
  std::vector<std::vector<std::string>> scope_requests_;
  int issued_ = 0;
  TestHttpServer server_;  // last: stops before the fields it reads go away
};

}  // namespace strata::registry::testing
