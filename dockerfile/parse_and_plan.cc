// ParseAndPlan (declared in dockerfile/plan.h): parser + planner, with the
// parser's "line N: msg" errors given the FILE:N: prefix of plan errors.

#include <algorithm>
#include <string>

#include "common/numbers.h"
#include "dockerfile/parser.h"
#include "dockerfile/plan.h"

namespace strata::dockerfile {

Status WithFileLocation(const Status& status, const std::string& filename) {
  const std::string& message = status.message();
  constexpr std::string_view kLine = "line ";
  if (message.rfind(kLine, 0) == 0) {
    size_t i = kLine.size();
    size_t digits_end = i;
    while (digits_end < message.size() && message[digits_end] >= '0' &&
           message[digits_end] <= '9') {
      ++digits_end;
    }
    if (digits_end > i && message.compare(digits_end, 2, ": ") == 0) {
      // An empty file is reported at line 0; FILE:LINE lines count from 1.
      int64_t line = std::max<int64_t>(
          1, ParseInt64(std::string_view(message).substr(i, digits_end - i)).value_or(1));
      return Status(status.code(),
                    filename + ":" + std::to_string(line) + ": " + message.substr(digits_end + 2));
    }
  }
  return Status(status.code(), filename + ": " + message);
}

Result<BuildPlan> ParseAndPlan(std::string_view content, const PlanOptions& opts) {
  auto ast = Parse(content);
  if (!ast.ok()) return WithFileLocation(ast.status(), opts.filename);
  return Plan(*ast, opts);
}

}  // namespace strata::dockerfile
