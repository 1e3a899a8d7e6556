#pragma once

// The `--name[=value]` flags of one Dockerfile instruction, parsed the way
// BuildKit's BFlags does: each instruction declares the flags it takes, then
// Parse() checks what was written against them.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::dockerfile {

class InstructionFlags {
 public:
  // `written` are the flags as the AST holds them ("--from=build", "--link").
  explicit InstructionFlags(const std::vector<std::string>& written) : written_(written) {}

  // Declares a flag. Declare all flags before Parse().
  void AddBool(std::string name);
  void AddString(std::string name, std::string default_value = "");
  void AddStrings(std::string name);  // may be repeated; values accumulate

  // Checks every written flag: unknown names ("unknown flag: --foo", with a
  // did-you-mean), a repeated single-valued flag, a missing or non-boolean
  // value. Stops at a bare "--".
  Status Parse();

  // REQUIRES: Parse() succeeded and `name` was declared with the matching kind.
  bool Bool(std::string_view name) const;
  const std::string& String(std::string_view name) const;
  const std::vector<std::string>& Strings(std::string_view name) const;
  bool IsUsed(std::string_view name) const;

 private:
  enum class Kind { kBool, kString, kStrings };
  struct Flag {
    Kind kind;
    std::string value;                // kBool: "true"/"false"; kString: the value
    std::vector<std::string> values;  // kStrings
    bool used = false;
  };

  const std::vector<std::string>& written_;
  std::map<std::string, Flag, std::less<>> flags_;
};

}  // namespace strata::dockerfile
