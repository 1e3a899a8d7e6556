#pragma once

// Turns one logical Dockerfile line (continuations already joined) into an
// Instruction, the way BuildKit's per-instruction line parsers do:
//   RUN/CMD/ENTRYPOINT/SHELL   JSON array, else the rest of the line as one arg
//   ADD/COPY/VOLUME            JSON array, else whitespace-separated args
//   ENV/LABEL                  key/value/separator triples (`k v` or `k=v ...`)
//   ARG                        words
//   FROM/EXPOSE                whitespace-separated args
//   MAINTAINER/USER/WORKDIR/STOPSIGNAL   the rest of the line as one arg
//   HEALTHCHECK                the type word, then as RUN
//   ONBUILD                    the nested instruction
//   anything else              accepted with a single empty arg (the dump
//                              shows `name ""`); the planner rejects it.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dockerfile/ast.h"

namespace strata::dockerfile {

// ONBUILD ONBUILD ... deeper than this is rejected (BuildKit accepts it at
// parse time and rejects any nesting later; the cap keeps parsing linear).
inline constexpr int kMaxOnbuildDepth = 32;

struct SplitCommandResult {
  std::string command;             // as written (not lower-cased)
  std::vector<std::string> flags;  // `--name=value` words, quotes and escapes removed
  std::string args;                // the rest, trimmed
};

// Splits a line into command, leading `--flags` and the rest (splitCommand).
SplitCommandResult SplitCommand(std::string_view line, char escape);

// Splits on whitespace keeping quotes and escapes in the words (parseWords).
std::vector<std::string> ParseWords(std::string_view rest, char escape);

// Parses a logical line. Fills keyword, flags, args, json, onbuild and
// original; line numbers, comments and heredocs are the caller's.
// Errors carry no location (the caller prefixes "line N: ").
Result<Instruction> ParseInstructionLine(std::string_view line, char escape);

}  // namespace strata::dockerfile
