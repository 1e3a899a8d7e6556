#include "protocol/tenancy.h"

namespace strata::protocol {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kMember:
      return "member";
    case Role::kAdmin:
      return "admin";
    case Role::kWorker:
      return "worker";
  }
  return "member";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "member") return Role::kMember;
  if (text == "admin") return Role::kAdmin;
  if (text == "worker") return Role::kWorker;
  return std::nullopt;
}

bool IsNamespaceName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

}  // namespace strata::protocol
