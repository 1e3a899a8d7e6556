#pragma once

// Parser directives (`# syntax=`, `# escape=`, `# check=`) as BuildKit
// recognises them: only on the leading lines of the file, each a comment of
// the form `#key=value`; the first line that is not one (an instruction, a
// blank line, any other comment) ends the directive block for good.

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "dockerfile/ast.h"

namespace strata::dockerfile {

// Feeds lines one at a time; not thread-safe.
class DirectiveParser {
 public:
  // `line` is one physical line without its line ending (and, for the first
  // line of an instruction, without leading whitespace). Returns the
  // directive it holds, nullopt when it holds none, or an error for a
  // repeated directive. `line_number` is 1-based and only recorded.
  Result<std::optional<Directive>> ParseLine(std::string_view line, int line_number);

  bool done() const { return done_; }

 private:
  bool done_ = false;
  bool seen_syntax_ = false;
  bool seen_escape_ = false;
  bool seen_check_ = false;
};

// Validates an escape directive's value: "\\" or "`".
Result<char> EscapeTokenFromDirective(std::string_view value);

}  // namespace strata::dockerfile
