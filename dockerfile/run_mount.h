#pragma once

// `RUN --mount=type=...,target=...` specifications, parsed and checked the way
// BuildKit does (frontend/dockerfile/instructions/commands_runmount.go).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::dockerfile {

enum class MountType { kBind, kCache, kTmpfs, kSecret, kSsh };
std::string_view MountTypeName(MountType type);

struct RunMount {
  MountType type = MountType::kBind;
  std::string from;  // stage name, stage index or image; "" = build context
  std::string source;
  std::string target;
  bool read_only = true;           // bind/secret/ssh default read-only; cache/tmpfs writable
  int64_t size_limit = 0;          // tmpfs size in bytes, 0 = unlimited
  std::string id;                  // cache id / secret id
  std::string sharing;             // cache: "shared", "private", "locked"; else ""
  bool required = false;           // secret/ssh
  std::optional<std::string> env;  // secret exposed as an env variable
  std::optional<uint32_t> mode, uid, gid;
};

// Expands one word of a flag value; the planner passes the stage's
// variables, the instruction parser passes none (values with `$` are then
// checked only after expansion).
using WordExpander = std::function<Result<std::string>(std::string_view)>;

// Parses one --mount value (comma-separated key=value fields, CSV quoting).
// With `expand` null, values containing `$` are left unchecked; `from` never
// takes variables. Errors use BuildKit's wording, e.g.
// `unsupported mount type "foo"`.
Result<RunMount> ParseRunMount(std::string_view spec, const WordExpander* expand);

// The spec with each field's value expanded, fields kept in written order
// (for the "expanded original" text of a RUN step).
Result<std::string> ExpandRunMountSpec(std::string_view spec, const WordExpander& expand);

}  // namespace strata::dockerfile
