#pragma once

// The Dockerfile parser, compatible with BuildKit's
// (frontend/dockerfile/parser): same instructions, arguments, flags,
// heredocs, directives and warnings, so Dump(Parse(x)) equals BuildKit's
// AST dump byte for byte.
//
// Like BuildKit's parser it accepts instructions it does not know (the
// planner rejects them) and rejects at parse time:
//   - a file with no instructions;
//   - `ENV key` / `LABEL key` without a value, and `ENV a=1 b` (BuildKit's
//     parseNameVal fails inside Parse, so this is a parse error here too);
//   - a JSON array with a non-string element (`CMD ["a", 1]`);
//   - a repeated or invalid parser directive;
//   - an unterminated heredoc;
//   - a physical line longer than 65535 bytes.
// Thread-safe: Parse keeps no state between calls.

#include <string_view>

#include "common/result.h"
#include "dockerfile/ast.h"

namespace strata::dockerfile {

// Parses a whole Dockerfile. Errors are InvalidArgument with a message
// "line N: what failed ..." (callers prefix the file name). Linear in the
// size of the input.
Result<Ast> Parse(std::string_view content);

}  // namespace strata::dockerfile
