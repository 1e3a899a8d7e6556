#include "dockerfile/directives.h"

#include "dockerfile/go_strings.h"

namespace strata::dockerfile {
namespace {

// Go regexp `\s`: [\t\n\f\r ] (no \v).
bool IsRegexSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Matches ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ on `s`.
bool MatchDirective(std::string_view s, std::string* key, std::string* value) {
  size_t i = 0;
  if (s.empty() || !IsAsciiLetter(s[0])) return false;
  while (i < s.size() && (IsAsciiLetter(s[i]) || IsAsciiDigit(s[i]))) ++i;
  *key = go::ToLower(s.substr(0, i));
  while (i < s.size() && IsRegexSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '=') return false;
  ++i;
  while (i < s.size() && IsRegexSpace(s[i])) ++i;
  std::string_view rest = s.substr(i);
  while (!rest.empty() && IsRegexSpace(rest.back())) rest.remove_suffix(1);
  // `.` does not match a newline; lines never hold one here.
  if (rest.empty() || rest.find('\n') != std::string_view::npos) return false;
  *value = std::string(rest);
  return true;
}

}  // namespace

Result<std::optional<Directive>> DirectiveParser::ParseLine(std::string_view line,
                                                           int line_number) {
  if (done_) return std::optional<Directive>();
  if (line.empty() || line[0] != '#') {
    done_ = true;
    return std::optional<Directive>();
  }
  line = go::TrimLeftSpace(line.substr(1));
  std::string key, value;
  if (!MatchDirective(line, &key, &value)) {
    done_ = true;
    return std::optional<Directive>();
  }
  bool* seen = key == "syntax"   ? &seen_syntax_
               : key == "escape" ? &seen_escape_
               : key == "check"  ? &seen_check_
                                 : nullptr;
  if (seen == nullptr) {
    done_ = true;
    return std::optional<Directive>();
  }
  if (*seen) {
    return Status::InvalidArgument("only one " + key +
                                   " parser directive can be used; remove the repeated `# " + key +
                                   "=` line");
  }
  *seen = true;
  return std::optional<Directive>(Directive{key, value, line_number});
}

Result<char> EscapeTokenFromDirective(std::string_view value) {
  if (value != "`" && value != "\\") {
    return Status::InvalidArgument("invalid escape token '" + std::string(value) +
                                   "' does not match ` or \\");
  }
  return value[0];
}

}  // namespace strata::dockerfile
