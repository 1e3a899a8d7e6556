#pragma once

// Test-only signing for the token issuer of registry/testing: an RSA key and
// a self-signed certificate made at test time, and RS256 JSON Web Tokens
// (RFC 7515/7519) signed with it, as docker-registry's `auth: token` checks
// them (the certificate in its rootcertbundle, the chain in the JWT's x5c).
// OpenSSL stays behind this header (image/ is its adapter). Not for
// production: the key lives in memory and in test directories.

#include <string>

#include "common/result.h"

namespace strata::image::testing {

struct TestSigningKey {
  std::string private_key_pem;  // PKCS#8
  std::string certificate_pem;  // self-signed, CN=<common_name>, valid 1 day back to 1 year on
  std::string certificate_der_base64;  // for a JWT header's x5c
};

// A fresh 2048-bit RSA key and its self-signed certificate.
Result<TestSigningKey> GenerateTestSigningKey(const std::string& common_name);

// "BASE64URL(header).BASE64URL(claims).BASE64URL(RS256 signature)". The
// header and claims are JSON texts taken as given.
Result<std::string> SignJwtRs256(const std::string& private_key_pem, const std::string& header_json,
                                 const std::string& claims_json);

// Base64url without padding (RFC 4648 §5).
std::string Base64Url(const std::string& bytes);

}  // namespace strata::image::testing
