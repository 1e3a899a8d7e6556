#include "registry/auth_challenge.h"

#include <cctype>

#include "common/ascii.h"

namespace strata::registry {
namespace {

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  void Advance() { ++i_; }
  std::string Token() {
    size_t start = i_;
    while (i_ < s_.size() && IsTokenChar(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  // A quoted-string (the opening quote is current) with backslash escapes.
  std::string Quoted() {
    std::string out;
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    if (i_ < s_.size()) ++i_;
    return out;
  }
  size_t pos() const { return i_; }
  void set_pos(size_t p) { i_ = p; }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::vector<AuthChallenge> ParseAuthChallenges(std::string_view header) {
  std::vector<AuthChallenge> out;
  Scanner s(header);
  while (true) {
    s.SkipSpace();
    while (s.Peek() == ',') {
      s.Advance();
      s.SkipSpace();
    }
    if (s.AtEnd()) break;
    std::string scheme = s.Token();
    if (scheme.empty()) {
      s.Advance();  // an unexpected character: skip it
      continue;
    }
    AuthChallenge challenge;
    challenge.scheme = AsciiLower(scheme);
    // auth-params: name=value pairs separated by commas, until a token that
    // is not followed by '=' (the next challenge's scheme).
    while (true) {
      s.SkipSpace();
      while (s.Peek() == ',') {
        s.Advance();
        s.SkipSpace();
      }
      size_t mark = s.pos();
      std::string name = s.Token();
      s.SkipSpace();
      if (name.empty() || s.Peek() != '=') {
        s.set_pos(mark);
        break;
      }
      s.Advance();
      s.SkipSpace();
      std::string value;
      if (s.Peek() == '"') {
        value = s.Quoted();
      } else {
        // token68 or a bare token; '=' padding belongs to it.
        size_t start = s.pos();
        while (!s.AtEnd() && s.Peek() != ',' && s.Peek() != ' ') s.Advance();
        value = std::string(header.substr(start, s.pos() - start));
      }
      challenge.params[AsciiLower(name)] = value;
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

}  // namespace strata::registry
