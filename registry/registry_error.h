#pragma once

// The error document of the distribution API:
//   {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":…}]}

#include <string>
#include <string_view>

namespace strata::registry {

// "manifest unknown" (code and message joined as Docker does, "code: message",
// the code once when both read the same; several errors joined by "; ").
// "" when the body is not such a document (never fails).
std::string RegistryErrorMessage(std::string_view body);

// Whether one of the errors has `code` ("MANIFEST_UNKNOWN").
bool RegistryErrorHasCode(std::string_view body, std::string_view code);

}  // namespace strata::registry
