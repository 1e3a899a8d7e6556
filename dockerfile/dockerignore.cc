#include "dockerfile/dockerignore.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "common/go_path_match.h"
#include "common/path_clean.h"
#include "dockerfile/go_unicode.h"

namespace strata::dockerfile {

// One compiled pattern. patternmatcher turns a pattern into one of four
// kinds: exact text, a prefix ("a/**"), a suffix ("**/a"), or a Go regexp;
// the regexp here is a token list with the same meaning.
struct DockerIgnore::Rule {
  enum class Kind : uint8_t { kExact, kPrefix, kSuffix, kRegexp };

  struct CharClass {
    std::vector<std::pair<char32_t, char32_t>> ranges;
    bool negated = false;
    bool Contains(char32_t r) const {
      bool in = std::any_of(ranges.begin(), ranges.end(), [r](const auto& range) {
        return range.first <= r && r <= range.second;
      });
      return in != negated;
    }
  };

  struct Token {
    enum Op : uint8_t {
      kLiteral,       // one rune
      kClass,         // one rune in classes[index]
      kNotSlash,      // [^/]
      kNotSlashStar,  // [^/]*
      kAnyStar,       // .*  (no newline)
      kAnyDirs,       // (.*/)?
      kAtStart,       // ^ outside a class: only at the very start
    } op;
    char32_t rune = 0;
    uint32_t index = 0;
  };

  Kind kind = Kind::kExact;
  bool exception = false;
  std::string cleaned;  // the pattern without its '!'
  std::vector<Token> tokens;
  std::vector<CharClass> classes;

  bool Matches(std::string_view path, const std::vector<char32_t>& runes, size_t n) const;
  bool MatchFrom(size_t t, size_t pos, const std::vector<char32_t>& runes, size_t n,
                 std::vector<uint8_t>* failed) const;
};

namespace {

using Rule = DockerIgnore::Rule;

// strings.TrimSpace with unicode.IsSpace.
std::string_view TrimSpace(std::string_view s) {
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    if (!IsGoSpace(d.rune)) break;
    s.remove_prefix(d.width);
  }
  while (!s.empty()) {
    // A byte that does not end a valid rune is U+FFFD, which is not space.
    DecodedRune d = DecodeLastRune(s);
    if (!IsGoSpace(d.rune)) break;
    s.remove_suffix(d.width);
  }
  return s;
}

std::vector<char32_t> Runes(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    out.push_back(d.rune);
    s.remove_prefix(d.width);
  }
  return out;
}

bool IsAsciiAlnum(char32_t r) {
  return (r >= '0' && r <= '9') || ((r | 0x20) >= 'a' && (r | 0x20) <= 'z');
}

// Go regexp's \d \s \w and their negations, and its single-character
// escapes; nullopt for escapes strata does not support.
std::optional<Rule::CharClass> PerlClass(char32_t letter) {
  Rule::CharClass c;
  switch (letter | 0x20) {
    case 'd':
      c.ranges = {{'0', '9'}};
      break;
    case 's':
      c.ranges = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
      break;
    case 'w':
      c.ranges = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
      break;
    default:
      return std::nullopt;
  }
  c.negated = letter >= 'A' && letter <= 'Z';
  return c;
}

std::optional<char32_t> ControlEscape(char32_t letter) {
  switch (letter) {
    case 'a':
      return 0x07;
    case 'f':
      return '\f';
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'v':
      return '\v';
    default:
      return std::nullopt;
  }
}

std::string RuneText(char32_t r) {
  std::string s;
  AppendRune(&s, r);
  return s;
}

// patternmatcher's compile(): the same walk over the pattern, producing
// tokens instead of regexp text. Returns the reason on failure.
std::optional<std::string> Compile(Rule* rule) {
  std::vector<char32_t> p = Runes(rule->cleaned);
  size_t i = (!p.empty() && p[0] == 0xFEFF) ? 1 : 0;  // text/scanner skips a BOM
  Rule::Kind kind = Rule::Kind::kExact;
  bool first = true;
  auto add = [&](Rule::Token::Op op, char32_t rune = 0, uint32_t index = 0) {
    rule->tokens.push_back({op, rune, index});
  };
  auto regexp = [&] { kind = Rule::Kind::kRegexp; };
  for (; i < p.size(); first = false) {
    char32_t ch = p[i++];
    if (ch == '*') {
      if (i < p.size() && p[i] == '*') {
        ++i;
        if (i < p.size() && p[i] == '/') ++i;
        if (i == p.size()) {
          if (kind == Rule::Kind::kExact) {
            kind = Rule::Kind::kPrefix;
          } else {
            add(Rule::Token::kAnyStar);
            regexp();
          }
        } else {
          add(Rule::Token::kAnyDirs);
          regexp();
        }
        if (first) kind = Rule::Kind::kSuffix;
      } else {
        add(Rule::Token::kNotSlashStar);
        regexp();
      }
    } else if (ch == '?') {
      add(Rule::Token::kNotSlash);
      regexp();
    } else if (ch == '\\') {
      if (i == p.size()) {
        add(Rule::Token::kLiteral, '\\');
        continue;
      }
      char32_t e = p[i++];
      regexp();
      if (e < 0x80 && !IsAsciiAlnum(e)) {
        add(Rule::Token::kLiteral, e);
      } else if (auto cls = PerlClass(e)) {
        rule->classes.push_back(*cls);
        add(Rule::Token::kClass, 0, rule->classes.size() - 1);
      } else if (auto control = ControlEscape(e)) {
        add(Rule::Token::kLiteral, *control);
      } else {
        return "the escape \\" + RuneText(e) +
               " is a regular-expression escape in Docker and is not supported; write the "
               "character itself";
      }
    } else if (ch == '[') {
      regexp();
      Rule::CharClass cls;
      if (i < p.size() && p[i] == '^') {
        cls.negated = true;
        ++i;
      }
      auto class_char = [&](char32_t* out) -> std::optional<std::string> {
        if (i >= p.size()) return "unterminated '[' class";
        char32_t c = p[i++];
        if (c == '\\') {
          if (i >= p.size()) return "unterminated '[' class";
          c = p[i++];
          if (c >= 0x80 || IsAsciiAlnum(c)) {
            return "the escape \\" + RuneText(c) + " inside [...] is not supported";
          }
        } else if (c == '*' || c == '?') {
          return std::string("'") + static_cast<char>(c) +
                 "' inside [...] does not work in Docker's matcher; escape it as \\" +
                 static_cast<char>(c);
        } else if (c == '[' && i < p.size() && p[i] == ':') {
          return "character class names like [:alpha:] are not supported";
        }
        *out = c;
        return std::nullopt;
      };
      for (;;) {
        if (i < p.size() && p[i] == ']' && !cls.ranges.empty()) {
          ++i;
          break;
        }
        char32_t lo = 0;
        if (auto err = class_char(&lo)) return err;
        char32_t hi = lo;
        if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
          ++i;
          if (auto err = class_char(&hi)) return err;
          if (hi < lo)
            return "class range " + RuneText(lo) + "-" + RuneText(hi) + " runs backwards";
        }
        cls.ranges.emplace_back(lo, hi);
      }
      rule->classes.push_back(std::move(cls));
      add(Rule::Token::kClass, 0, rule->classes.size() - 1);
    } else if (ch == ']') {
      add(Rule::Token::kLiteral, ch);
      regexp();
    } else if (ch == '^') {
      add(Rule::Token::kAtStart);  // an anchor in Docker's regexp, text otherwise
    } else {
      add(Rule::Token::kLiteral, ch);
    }
  }
  rule->kind = kind;
  if (kind != Rule::Kind::kRegexp) rule->tokens.clear();
  return std::nullopt;
}

Status PatternError(std::string_view where, std::string_view pattern, std::string_view why) {
  return Status::InvalidArgument(std::string(where) + ": pattern \"" + std::string(pattern) +
                                 "\": " + std::string(why) + "; fix or remove the line");
}

// fsutil's patternWithoutTrailingGlob.
std::string_view WithoutTrailingGlob(std::string_view p) {
  if (p.ends_with("/**")) p.remove_suffix(3);
  if (p.ends_with("/*")) p.remove_suffix(2);
  return p;
}

// patternmatcher.New for one pattern; where names it in errors.
Result<Rule> NewRule(std::string_view text, std::string_view where) {
  std::string p = CleanPath(TrimSpace(text));
  Rule rule;
  if (p[0] == '!') {
    if (p.size() == 1) {
      return Status::InvalidArgument(std::string(where) +
                                     ": illegal exclusion pattern \"!\": a '!' must be followed "
                                     "by the pattern to re-include");
    }
    rule.exception = true;
    p.erase(0, 1);
  }
  if (Status valid = ValidateGoPattern(p); !valid.ok()) {
    return Status::InvalidArgument(std::string(where) + ": " + valid.message() +
                                   "; fix or remove the line");
  }
  rule.cleaned = std::move(p);
  if (auto why = Compile(&rule)) return PatternError(where, text, *why);
  return rule;
}

}  // namespace

bool Rule::Matches(std::string_view path, const std::vector<char32_t>& runes, size_t n) const {
  switch (kind) {
    case Kind::kExact:
      return path == cleaned;
    case Kind::kPrefix:
      return path.starts_with(std::string_view(cleaned).substr(0, cleaned.size() - 2));
    case Kind::kSuffix: {
      std::string_view suffix = std::string_view(cleaned).substr(2);
      if (path.ends_with(suffix)) return true;
      return suffix[0] == '/' && path == suffix.substr(1);  // "**/a" matches "a"
    }
    case Kind::kRegexp:
      break;
  }
  std::vector<uint8_t> failed((tokens.size() + 1) * (n + 1), 0);
  return MatchFrom(0, 0, runes, n, &failed);
}

// Full-match backtracking over runes[0, n) with failed states remembered, so
// the cost is bounded by tokens x positions x positions.
bool Rule::MatchFrom(size_t t, size_t pos, const std::vector<char32_t>& runes, size_t n,
                     std::vector<uint8_t>* failed) const {
  if (t == tokens.size()) return pos == n;
  uint8_t& memo = (*failed)[t * (n + 1) + pos];
  if (memo) return false;
  const Token& token = tokens[t];
  bool ok = false;
  switch (token.op) {
    case Token::kLiteral:
      ok = pos < n && runes[pos] == token.rune && MatchFrom(t + 1, pos + 1, runes, n, failed);
      break;
    case Token::kClass:
      ok = pos < n && classes[token.index].Contains(runes[pos]) &&
           MatchFrom(t + 1, pos + 1, runes, n, failed);
      break;
    case Token::kNotSlash:
      ok = pos < n && runes[pos] != '/' && MatchFrom(t + 1, pos + 1, runes, n, failed);
      break;
    case Token::kAtStart:
      ok = pos == 0 && MatchFrom(t + 1, pos, runes, n, failed);
      break;
    case Token::kNotSlashStar:
    case Token::kAnyStar:
    case Token::kAnyDirs: {
      const char32_t stop = token.op == Token::kNotSlashStar ? U'/' : U'\n';
      for (size_t end = pos;; ++end) {
        bool candidate = token.op != Token::kAnyDirs || end == pos || runes[end - 1] == '/';
        if (candidate && MatchFrom(t + 1, end, runes, n, failed)) {
          ok = true;
          break;
        }
        if (end == n || runes[end] == stop) break;
      }
      break;
    }
  }
  if (!ok) memo = 1;
  return ok;
}

DockerIgnore::DockerIgnore() = default;
DockerIgnore::~DockerIgnore() = default;
DockerIgnore::DockerIgnore(DockerIgnore&&) noexcept = default;
DockerIgnore& DockerIgnore::operator=(DockerIgnore&&) noexcept = default;

Result<DockerIgnore> DockerIgnore::Parse(std::string_view content) {
  DockerIgnore ignore;
  for (int line_number = 1; !content.empty(); ++line_number) {
    size_t newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline == std::string_view::npos ? content.size() : newline + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    // ignorefile.ReadAll: comments are recognised before trimming.
    if (line.starts_with('#')) continue;
    std::string_view text = TrimSpace(line);
    if (text.empty()) continue;
    const bool invert = text[0] == '!';
    if (invert) text = TrimSpace(text.substr(1));
    std::string pattern;
    if (!text.empty()) {
      pattern = CleanPath(text);
      if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
    }
    if (invert) pattern.insert(0, "!");
    const std::string where = ".dockerignore line " + std::to_string(line_number);
    ASSIGN_OR_RETURN(Rule rule, NewRule(pattern, where));
    ignore.patterns_.push_back(std::move(pattern));
    ignore.rules_.push_back(std::move(rule));
  }
  ignore.Index();
  return ignore;
}

Result<DockerIgnore> DockerIgnore::FromPatterns(const std::vector<std::string>& patterns) {
  DockerIgnore ignore;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (TrimSpace(patterns[i]).empty()) continue;
    ASSIGN_OR_RETURN(Rule rule, NewRule(patterns[i], "ignore pattern " + std::to_string(i + 1)));
    ignore.patterns_.push_back(patterns[i]);
    ignore.rules_.push_back(std::move(rule));
  }
  ignore.Index();
  return ignore;
}

void DockerIgnore::Index() {
  for (const Rule& rule : rules_) {
    if (!rule.exception) continue;
    has_exceptions_ = true;
    if (WithoutTrailingGlob(rule.cleaned).find_first_of("*[]?^\\") != std::string_view::npos) {
      exceptions_are_prefixes_ = false;
    }
  }
}

bool DockerIgnore::Excluded(std::string_view relative_path) const {
  if (rules_.empty()) return false;
  std::string path = CleanPath(relative_path);
  size_t root = path.find_first_not_of('/');
  if (root == std::string::npos || path == ".") return false;
  std::string_view p = std::string_view(path).substr(root);
  // Runes of the path and, for each parent directory, its length in bytes
  // and in runes ("a/b/c" has parents "a" and "a/b").
  std::vector<char32_t> runes;
  runes.reserve(p.size());
  std::vector<std::pair<size_t, size_t>> parents;
  for (size_t at = 0; at < p.size();) {
    DecodedRune d = DecodeRune(p.substr(at));
    if (d.rune == '/') parents.emplace_back(at, runes.size());
    runes.push_back(d.rune);
    at += d.width;
  }
  bool excluded = false;
  for (const Rule& rule : rules_) {
    // Only a rule that could flip the answer needs evaluating.
    if (rule.exception != excluded) continue;
    bool match = rule.Matches(p, runes, runes.size());
    for (size_t i = 0; !match && i < parents.size(); ++i) {
      match = rule.Matches(p.substr(0, parents[i].first), runes, parents[i].second);
    }
    if (match) excluded = !rule.exception;
  }
  return excluded;
}

bool DockerIgnore::MayHaveExceptionsUnder(std::string_view dir) const {
  if (!has_exceptions_) return false;
  if (!exceptions_are_prefixes_) return true;
  std::string dir_slash = CleanPath(dir) + "/";
  for (const Rule& rule : rules_) {
    if (!rule.exception) continue;
    std::string pattern = std::string(WithoutTrailingGlob(rule.cleaned)) + "/";
    if (pattern.starts_with(dir_slash)) return true;
  }
  return false;
}

}  // namespace strata::dockerfile
