#pragma once

// For template tests: the output of `text` over `data`, or the error as
// "PARSE ERROR: ..." / "EXEC ERROR: ...", so one EXPECT_EQ checks either.

#include <string>
#include <string_view>

#include "cli/format/template.h"

namespace strata::format {

inline std::string RenderOrError(std::string_view text, const Json& data) {
  Result<Template> t = Template::Parse(text);
  if (!t.ok()) return "PARSE ERROR: " + t.status().message();
  Result<std::string> out = t->Execute(data);
  if (!out.ok()) return "EXEC ERROR: " + out.status().message();
  return *out;
}

}  // namespace strata::format
