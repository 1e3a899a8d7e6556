#pragma once

// The words of tenancy that the coordinator and its clients share
// (docs/tenancy.md): roles and namespace names.

#include <optional>
#include <string_view>

namespace strata::protocol {

enum class Role {
  kMember,  // builds and reads in its own namespace
  kAdmin,   // also shutdown, worker management, every namespace's stats
  kWorker,  // the worker endpoint only: registers and answers jobs
};

// "member", "admin", "worker".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view text);

// Namespace names: 1-63 of [a-z0-9._-], starting with a letter or digit.
bool IsNamespaceName(std::string_view name);

inline constexpr char kDefaultNamespace[] = "default";

}  // namespace strata::protocol
