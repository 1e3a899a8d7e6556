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
  // The switches of BuildKit's Lex, for callers that need them (heredoc
  // detection, RUN display names). All off by default.
  struct Options {
    bool raw_quotes = false;           // keep ' and " in the output
    bool raw_escapes = false;          // keep the escape character in the output
    bool skip_process_quotes = false;  // treat ' and " as ordinary characters
    bool skip_unset_env = false;       // leave $V / ${V...} of unset V as written
    // Keep an unquoted escape before '*', '?', '[' or the escape itself, so
    // that a COPY/ADD source `n\?pe` reaches the matcher as an escaped
    // (literal) '?' (common/go_path_match.h UnescapeGlob).
    bool keep_glob_escapes = false;
  };

  explicit ShellLexer(char escape = '\\') : escape_(escape) {}
  ShellLexer(char escape, Options options) : escape_(escape), options_(options) {}

  char escape() const { return escape_; }

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

  // Also reports the referenced variables that were not set (BuildKit's
  // "unmatched", used by the UndefinedVar lint). Each name appears once, in
  // order of first reference; either pointer may be null.
  Result<std::string> ProcessWordWithMatches(std::string_view word, const ShellEnv& env,
                                             std::vector<std::string>* matched,
                                             std::vector<std::string>* unmatched) const;

 private:
  char escape_;
  Options options_;
};

}  // namespace strata::dockerfile
