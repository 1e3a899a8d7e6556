#pragma once

// The tokens file (`strata-coordinator --tokens FILE`, docs/tenancy.md):
// who may talk to the coordinator, in which namespace and with which role.
// One grant per line; `#` at the start of a line or after a blank starts a
// comment:
//
//   sha256:<64 hex digits: SHA-256 of the token> NAMESPACE ROLE
//   curve:<40 characters: a CurveZMQ public key, Z85> NAMESPACE ROLE
//
// The file holds hashes and public keys only, never a secret. Immutable
// once parsed: a reload (SIGHUP) parses a new table and swaps it in.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "coordinator/caller.h"
#include "protocol/tenancy.h"

namespace strata::coordinator {

struct Grant {
  std::string ns;
  Role role = Role::kMember;
};

class TokenTable {
 public:
  TokenTable() = default;
  // InvalidArgument "SOURCE:LINE: …" on the first bad line.
  static Result<TokenTable> Parse(std::string_view text, const std::string& source);
  static Result<TokenTable> Load(const std::string& path);

  // The grant of the token whose SHA-256 the file lists.
  std::optional<Grant> ForToken(std::string_view token) const;
  // The grant of a listed CurveZMQ public key.
  std::optional<Grant> ForCurveKey(const std::string& key) const;
  bool has_curve_keys() const { return !keys_.empty(); }
  size_t size() const { return hashes_.size() + keys_.size(); }

 private:
  std::map<std::string, Grant> hashes_;  // lowercase hex SHA-256 of the token
  std::map<std::string, Grant> keys_;    // Z85 public key
};

// The hex SHA-256 of `token`, as a tokens file line names it.
std::string TokenHash(std::string_view token);


}  // namespace strata::coordinator
