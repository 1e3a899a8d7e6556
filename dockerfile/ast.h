#pragma once

// The syntax tree of a Dockerfile as BuildKit's parser builds it: one
// Instruction per logical line, arguments as the parse dump prints them.
// Pure data; produced by Parse() (dockerfile/parser.h).

#include <cstdint>
#include <string>
#include <vector>

namespace strata::dockerfile {

// A here-document attached to an instruction (`RUN <<EOF`, `COPY <<A <<B /d`).
struct Heredoc {
  std::string name;     // the delimiter word, quotes removed ("EOF")
  std::string content;  // the body up to (not including) the delimiter line
  bool expand = true;   // false when the delimiter was quoted ('EOF' or "EOF")
  bool chomp = false;   // `<<-`: leading tabs are to be stripped from body lines;
                        // `content` keeps them (BuildKit strips at dispatch:
                        // ChompHeredocContent in dockerfile/heredoc.h)
  uint64_t file_descriptor = 0;  // n of `n<<EOF`; 0 when not written
};

// A parser directive from the top of the file (`# escape=``).
struct Directive {
  std::string name;   // lower-case: "syntax", "escape", "check"
  std::string value;
  int line = 0;
};

struct Instruction {
  std::string keyword;             // lower-case instruction name: "run", "env", ...
  std::vector<std::string> flags;  // as written, e.g. "--from=build", "--mount=type=cache,..."
  // The arguments exactly as the parse dump prints them:
  //  - exec (JSON) form: the array elements;
  //  - shell form of RUN/CMD/ENTRYPOINT/SHELL...: one string, the rest of the line;
  //  - ENV / LABEL: triples key, value, separator ("=" or "" for `ENV k v`);
  //  - ONBUILD: empty; the instruction is in `onbuild`.
  std::vector<std::string> args;
  bool json = false;               // args came from a JSON array (exec form)
  std::vector<Heredoc> heredocs;
  std::vector<Instruction> onbuild;  // ONBUILD's nested instruction (0 or 1 element)
  std::string original;            // source text, continuation lines joined
  int start_line = 0;              // 1-based, first line of the instruction
  int end_line = 0;                // last line (after continuations and heredocs)
  std::vector<std::string> comments;  // comment lines just above it, without '#'
};

struct Ast {
  std::vector<Directive> directives;
  std::vector<Instruction> instructions;
  char escape = '\\';              // from `# escape=`; '\\' or '`'
  std::vector<std::string> warnings;  // e.g. empty continuation lines
};

}  // namespace strata::dockerfile
