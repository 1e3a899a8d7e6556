#pragma once

// The coordinator tokens `strata login --token` saved, one per --host, in
// ROOT/hosts.json (mode 0600; docs/tenancy.md):
//
//   {"tcp://farm:7700": {"token": "strata_…"}}
//
// Read when a command runs with --host and neither --token nor STRATA_TOKEN.

#include <optional>
#include <string>

#include "common/result.h"

namespace strata::cli {

// The token saved for `host`; nullopt when none is (or no file exists).
Result<std::optional<std::string>> SavedToken(const std::string& root, const std::string& host);
// Saves `token` for `host`, replacing the one saved before. The file is
// written whole (a temporary file renamed over it), mode 0600.
Status SaveToken(const std::string& root, const std::string& host, const std::string& token);
// Forgets the token saved for `host`; false when none was.
Result<bool> ForgetToken(const std::string& root, const std::string& host);

}  // namespace strata::cli
