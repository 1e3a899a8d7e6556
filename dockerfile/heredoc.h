#pragma once

// Here-documents on RUN/COPY/ADD lines, found the way BuildKit finds them:
// the line is split into shell words (quotes and escapes kept raw, `$VAR`
// left unexpanded), and each word of the form `[n]<<[-]WORD` names a
// heredoc whose body follows the instruction. A quoted WORD ('EOF', "EOF",
// E"OF") disables expansion of the body; `<<-` asks for leading tabs to be
// stripped (the body is stored as written: see ChompHeredocContent).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dockerfile/ast.h"

namespace strata::dockerfile {

// The heredocs named on `line` (the whole instruction line), in order, with
// empty content. Fails only for a malformed heredoc word such as `<<'EOF`
// inside an otherwise well-formed line.
Result<std::vector<Heredoc>> HeredocsFromLine(std::string_view line);

// Parses one word `[n]<<[-]WORD`; nullopt when it is not a heredoc.
Result<std::optional<Heredoc>> ParseHeredocWord(std::string_view word);

// Removes leading tabs from every line of `content` (what `<<-` means).
std::string ChompHeredocContent(std::string_view content);

}  // namespace strata::dockerfile
