#pragma once

// The challenges of a WWW-Authenticate header (RFC 7235), as registries send
// them: `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
// scope="repository:library/busybox:pull"` or `Basic realm="Registry"`.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strata::registry {

struct AuthChallenge {
  std::string scheme;                         // lowercased: "bearer", "basic"
  std::map<std::string, std::string> params;  // names lowercased, values unquoted
};

// Every challenge of one header value, in order; malformed parts are skipped
// (never fails).
std::vector<AuthChallenge> ParseAuthChallenges(std::string_view header);

}  // namespace strata::registry
