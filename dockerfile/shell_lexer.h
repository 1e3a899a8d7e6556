#pragma once

// Word expansion as BuildKit's shell lexer (frontend/dockerfile/shell/lex.go)
// does it: $V, ${V}, the ${V:-w} family, pattern removal and replacement,
// quotes and escapes, and word splitting.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::dockerfile {

// Variables visible to an expansion. Lookup is case-sensitive.
using ShellEnv = std::map<std::string, std::string, std::less<>>;

class ShellLexer {
 public:
  explicit ShellLexer(char escape = '\\') : escape_(escape) {}

  // Expands one word: quotes removed, variables substituted, no splitting.
  // Errors (bad substitution, unterminated quote, ${V:?msg}) carry the
  // lexer's message.
  Result<std::string> ProcessWord(std::string_view word, const ShellEnv& env) const;

  // Expands and splits into words as an unquoted shell would (used for
  // instructions whose arguments are a list, e.g. COPY a b /dst in shell form).
  Result<std::vector<std::string>> ProcessWords(std::string_view word, const ShellEnv& env) const;

  // Like ProcessWord, also reporting which variables the word referenced
  // (BuildKit's ProcessWordWithMatches; used for build-arg usage tracking).
  Result<std::string> ProcessWordWithMatches(std::string_view word, const ShellEnv& env,
                                             std::vector<std::string>* matched) const;

 private:
  char escape_;
};

}  // namespace strata::dockerfile
