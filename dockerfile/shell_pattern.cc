#include "dockerfile/shell_pattern.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "dockerfile/go_unicode.h"

namespace strata::dockerfile {
namespace {

constexpr char32_t kBom = 0xFEFF;

struct Token {
  enum Kind : uint8_t { kLiteral, kAny, kStar } kind;
  char32_t rune = 0;
};

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

std::string Encode(const std::vector<char32_t>& runes) {
  std::string out;
  out.reserve(runes.size());
  for (char32_t r : runes) AppendRune(&out, r);
  return out;
}

// convertShellPatternToRegex, producing tokens instead of regexp text.
Result<std::vector<Token>> CompilePattern(std::string_view pattern) {
  std::vector<char32_t> runes = Runes(pattern);
  size_t i = 0;
  if (!runes.empty() && runes[0] == kBom) i = 1;  // text/scanner drops a leading BOM
  std::vector<Token> tokens;
  for (; i < runes.size(); ++i) {
    char32_t r = runes[i];
    if (r == '*') {
      tokens.push_back({Token::kStar});
    } else if (r == '?') {
      tokens.push_back({Token::kAny});
    } else if (r == '\\') {
      if (i + 1 < runes.size() && (runes[i + 1] == '}' || runes[i + 1] == '/')) continue;
      if (i + 1 >= runes.size() ||
          (runes[i + 1] != '*' && runes[i + 1] != '?' && runes[i + 1] != '\\')) {
        std::string message = "invalid escape '\\";
        AppendRune(&message, i + 1 < runes.size() ? runes[i + 1] : kRuneError);
        message += "'";
        return Status::InvalidArgument(std::move(message));
      }
      tokens.push_back({Token::kLiteral, runes[++i]});
    } else {
      tokens.push_back({Token::kLiteral, r});
    }
  }
  return tokens;
}

// Leftmost-first matching of the token list against a rune sequence, as a
// backtracking engine (and Go's RE2, which promises the same answer) finds
// it. Failed (token, position) states are remembered, so a search costs at
// most tokens x positions x positions steps.
class Matcher {
 public:
  Matcher(const std::vector<Token>& tokens, const std::vector<char32_t>& runes, bool greedy)
      : tokens_(tokens), runes_(runes), greedy_(greedy),
        failed_((tokens.size() + 1) * (runes.size() + 1), false) {}

  // End (rune index) of the preferred match starting at start, if any.
  std::optional<size_t> MatchAt(size_t start) { return Match(0, start); }

  // [start, end) of the leftmost match starting at or after from.
  std::optional<std::pair<size_t, size_t>> Find(size_t from) {
    for (size_t start = from; start <= runes_.size(); ++start) {
      if (auto end = Match(0, start)) return std::make_pair(start, *end);
    }
    return std::nullopt;
  }

 private:
  std::optional<size_t> Match(size_t t, size_t pos) {
    if (t == tokens_.size()) return pos;
    size_t state = t * (runes_.size() + 1) + pos;
    if (failed_[state]) return std::nullopt;
    const Token& token = tokens_[t];
    std::optional<size_t> result;
    if (token.kind == Token::kStar) {
      size_t limit = pos;
      while (limit < runes_.size() && runes_[limit] != '\n') ++limit;
      if (greedy_) {
        for (size_t end = limit + 1; end-- > pos && !result;) result = Match(t + 1, end);
      } else {
        for (size_t end = pos; end <= limit && !result; ++end) result = Match(t + 1, end);
      }
    } else if (pos < runes_.size() &&
               (token.kind == Token::kAny ? runes_[pos] != '\n' : runes_[pos] == token.rune)) {
      result = Match(t + 1, pos + 1);
    }
    if (!result) failed_[state] = true;
    return result;
  }

  const std::vector<Token>& tokens_;
  const std::vector<char32_t>& runes_;
  bool greedy_;
  std::vector<bool> failed_;
};

// Byte offset of every rune boundary of s, plus s.size() at the end.
std::vector<size_t> RuneOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  size_t pos = 0;
  while (pos < s.size()) {
    offsets.push_back(pos);
    pos += DecodeRune(s.substr(pos)).width;
  }
  offsets.push_back(s.size());
  return offsets;
}

Status InvalidPattern(std::string_view pattern, const Status& why) {
  return Status::InvalidArgument("invalid pattern (" + std::string(pattern) +
                                 ") in substitution: " + why.message());
}

// Regexp.Expand's name rule: letters, digits and '_'; a number only when all
// digits without a leading zero.
void ExpandTemplate(std::string_view tmpl, std::string_view match, std::string* out) {
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view rest = tmpl;
    bool brace = !rest.empty() && rest[0] == '{';
    if (brace) rest.remove_prefix(1);
    size_t n = 0;
    while (n < rest.size()) {
      DecodedRune d = DecodeRune(rest.substr(n));
      if (!IsGoLetter(d.rune) && !IsGoDigit(d.rune) && d.rune != '_') break;
      n += d.width;
    }
    if (n == 0 || (brace && (n >= rest.size() || rest[n] != '}'))) {
      out->push_back('$');  // malformed: the dollar is literal text
      continue;
    }
    std::string_view name = rest.substr(0, n);
    tmpl = rest.substr(brace ? n + 1 : n);
    // Group 0 is the match; the pattern has no other groups and no names.
    if (name == "0") out->append(match);
  }
  out->append(tmpl);
}

}  // namespace

Result<std::string> TrimShellPatternPrefix(std::string_view pattern, std::string_view value,
                                           bool greedy) {
  auto tokens = CompilePattern(pattern);
  if (!tokens.ok()) return InvalidPattern(pattern, tokens.status());
  std::vector<char32_t> runes = Runes(value);
  Matcher matcher(*tokens, runes, greedy);
  std::optional<size_t> end = matcher.MatchAt(0);
  if (!end) return std::string(value);
  return std::string(value.substr(RuneOffsets(value)[*end]));
}

Result<std::string> TrimShellPatternSuffix(std::string_view pattern, std::string_view value,
                                           bool greedy) {
  // Reverse the pattern keeping each escape in front of its character.
  std::vector<char32_t> p = Runes(pattern);
  std::vector<char32_t> reversed(p.size());
  size_t last = p.size() - 1;
  for (size_t i = 0; i < p.size();) {
    size_t out = last - i;
    if (p[i] == '\\' && i != last) {
      reversed[out - 1] = '\\';
      reversed[out] = p[i + 1];
      i += 2;
    } else {
      reversed[out] = p[i];
      ++i;
    }
  }
  std::vector<char32_t> v = Runes(value);
  std::reverse(v.begin(), v.end());
  ASSIGN_OR_RETURN(std::string trimmed,
                   TrimShellPatternPrefix(Encode(reversed), Encode(v), greedy));
  std::vector<char32_t> t = Runes(trimmed);
  std::reverse(t.begin(), t.end());
  return Encode(t);
}

Result<std::string> ReplaceShellPattern(std::string_view pattern, std::string_view value,
                                        std::string_view replacement, bool all) {
  auto tokens = CompilePattern(pattern);
  if (!tokens.ok()) return InvalidPattern(pattern, tokens.status());
  std::vector<char32_t> runes = Runes(value);
  std::vector<size_t> offsets = RuneOffsets(value);
  Matcher matcher(*tokens, runes, /*greedy=*/true);
  std::string out;
  if (!all) {
    auto m = matcher.Find(0);
    if (!m) return std::string(value);
    out.append(value.substr(0, offsets[m->first]));
    out.append(replacement);
    out.append(value.substr(offsets[m->second]));
    return out;
  }
  // Regexp.ReplaceAllString: no empty match right after a previous match,
  // always advance by at least one rune.
  size_t search = 0;
  size_t last_end = 0;
  while (search <= runes.size()) {
    auto m = matcher.Find(search);
    if (!m) break;
    auto [start, end] = *m;
    out.append(value.substr(offsets[last_end], offsets[start] - offsets[last_end]));
    if (end > last_end || start == 0) {
      ExpandTemplate(replacement, value.substr(offsets[start], offsets[end] - offsets[start]),
                     &out);
    }
    last_end = end;
    search = end <= search ? search + 1 : end;
  }
  out.append(value.substr(offsets[last_end]));
  return out;
}

}  // namespace strata::dockerfile
