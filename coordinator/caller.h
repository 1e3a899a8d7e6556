#pragma once

// Who sent a request, as the coordinator's access control decided
// (coordinator/client_access.h, docs/tenancy.md): a namespace (the team
// whose cache entries the request reads and writes) and a role.

#include <string>

#include "protocol/tenancy.h"

namespace strata::coordinator {

using protocol::Role;

struct Caller {
  std::string ns = protocol::kDefaultNamespace;
  Role role = Role::kAdmin;
  // True for the owner-only ipc:// endpoint: the caller shares the
  // coordinator's disk, so a request may name a path on it.
  bool local = true;
  // For log lines: "local", "token sha256:1f2e3d4c", "key Ab3…"; never a
  // token itself.
  std::string name = "local";

  bool is_admin() const { return role == Role::kAdmin; }
};

}  // namespace strata::coordinator
