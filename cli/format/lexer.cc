#include "cli/format/lexer.h"

#include <algorithm>
#include <cstdio>

#include "common/utf8.h"

namespace strata::format {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c) || static_cast<unsigned char>(c) >= 0x80; }

std::string DescribeRune(char32_t r) {
  char buf[32];
  if (r >= 0x20 && r < 0x7F) {
    std::snprintf(buf, sizeof buf, "U+%04X '%c'", static_cast<unsigned>(r), static_cast<char>(r));
  } else {
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
  }
  return buf;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> Run() {
    while (true) {
      Next next = LexText();
      if (next == Next::kStop || (next == Next::kAction && !LexAction())) break;
    }
    return std::move(tokens_);
  }

 private:
  void Emit(TokenKind kind, std::string value, size_t pos) {
    tokens_.push_back(Token{kind, std::move(value), pos, pos_, space_before_});
    space_before_ = false;
  }
  bool Fail(std::string message) {
    Emit(TokenKind::kError, std::move(message), pos_);
    return false;
  }
  bool At(std::string_view s) const { return text_.substr(pos_).starts_with(s); }
  bool AtRightTrim() const {
    return pos_ < text_.size() && IsSpace(text_[pos_]) && text_.substr(pos_ + 1).starts_with("-}}");
  }

  enum class Next { kStop, kAction, kText };

  // Text up to the next action, and a comment if one follows. kStop at the
  // end of input or on error.
  Next LexText() {
    if (trim_next_text_) {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
      trim_next_text_ = false;
    }
    size_t open = text_.find(kLeftDelim, pos_);
    size_t end = open == std::string_view::npos ? text_.size() : open;
    std::string_view chunk = text_.substr(pos_, end - pos_);
    bool trim_left = open != std::string_view::npos && open + 3 < text_.size() &&
                     text_[open + 2] == '-' && IsSpace(text_[open + 3]);
    if (trim_left) {
      while (!chunk.empty() && IsSpace(chunk.back())) chunk.remove_suffix(1);
    }
    if (!chunk.empty()) Emit(TokenKind::kText, std::string(chunk), pos_);
    if (open == std::string_view::npos) {
      pos_ = text_.size();
      Emit(TokenKind::kEof, "", pos_);
      return Next::kStop;
    }
    // A comment starts right after the delimiter and its trim marker "- ".
    size_t after = open + 2 + (trim_left ? 2 : 0);
    if (text_.substr(after).starts_with("/*")) {
      pos_ = after;
      return LexComment() ? Next::kText : Next::kStop;
    }
    pos_ = open + 2 + (trim_left ? 1 : 0);
    Emit(TokenKind::kLeftDelim, "", open);
    return Next::kAction;
  }

  bool LexComment() {
    size_t close = text_.find("*/", pos_ + 2);
    if (close == std::string_view::npos) return Fail("unclosed comment");
    pos_ = close + 2;
    if (At(kRightDelim)) {
      pos_ += 2;
      return true;
    }
    if (AtRightTrim()) {
      pos_ += 4;
      trim_next_text_ = true;
      return true;
    }
    return Fail("comment ends before closing delimiter");
  }

  // Tokens up to and including the right delimiter.
  bool LexAction() {
    int parens = 0;
    while (true) {
      if (AtRightTrim() || At(kRightDelim)) {
        if (parens > 0) return Fail("unclosed left paren");
        bool trim = !At(kRightDelim);
        if (trim) ++pos_;
        Emit(TokenKind::kRightDelim, "", pos_);
        pos_ += trim ? 3 : 2;
        trim_next_text_ = trim;
        return true;
      }
      if (pos_ >= text_.size()) return Fail("unclosed action");
      char c = text_[pos_];
      size_t start = pos_;
      if (IsSpace(c)) {
        while (pos_ < text_.size() && IsSpace(text_[pos_]) && !AtRightTrim()) ++pos_;
        space_before_ = true;
        continue;
      }
      switch (c) {
        case '|':
          ++pos_, Emit(TokenKind::kPipe, "|", start);
          continue;
        case ',':
          ++pos_, Emit(TokenKind::kComma, ",", start);
          continue;
        case '=':
          ++pos_, Emit(TokenKind::kAssign, "=", start);
          continue;
        case '(':
          ++parens, ++pos_, Emit(TokenKind::kLeftParen, "(", start);
          continue;
        case ')':
          if (--parens < 0) return Fail("unexpected right paren");
          ++pos_, Emit(TokenKind::kRightParen, ")", start);
          continue;
        case ':':
          if (!At(":=")) return Fail("expected :=");
          pos_ += 2, Emit(TokenKind::kDeclare, ":=", start);
          continue;
        case '"':
          if (!LexQuoted('"', TokenKind::kString)) return false;
          continue;
        case '\'':
          if (!LexQuoted('\'', TokenKind::kCharConst)) return false;
          continue;
        case '`':
          if (!LexRawString()) return false;
          continue;
        case '$':
          ++pos_;
          if (!LexWord(TokenKind::kVariable, start)) return false;
          continue;
        case '.':
          if (pos_ + 1 >= text_.size() || !IsDigit(text_[pos_ + 1])) {
            ++pos_;
            if (!LexWord(TokenKind::kField, start)) return false;
            continue;
          }
          break;
        default:
          break;
      }
      if (c == '.' || c == '+' || c == '-' || IsDigit(c)) {
        if (!LexNumber()) return false;
      } else if (IsAlpha(c)) {
        if (!LexWord(TokenKind::kIdentifier, start)) return false;
      } else if (c >= 0x20 && c < 0x7F) {
        ++pos_, Emit(TokenKind::kChar, std::string(1, c), start);
      } else {
        return Fail("unrecognized character in action: " +
                    DescribeRune(DecodeRune(text_.substr(pos_)).rune));
      }
    }
  }

  bool AtTerminator() const {
    if (pos_ >= text_.size() || AtRightTrim() || At(kRightDelim)) return true;
    char c = text_[pos_];
    return IsSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
           c == '=';
  }

  // An alphanumeric run at pos_, for fields (after '.'), variables (after
  // '$') and identifiers. `start` is where the token began.
  bool LexWord(TokenKind kind, size_t start) {
    size_t begin = pos_;
    while (pos_ < text_.size() && IsAlnum(text_[pos_])) ++pos_;
    if (!AtTerminator()) {
      return Fail("bad character " + DescribeRune(DecodeRune(text_.substr(pos_)).rune));
    }
    std::string word(text_.substr(begin, pos_ - begin));
    if (kind == TokenKind::kField) {
      Emit(word.empty() ? TokenKind::kDot : TokenKind::kField, word, start);
    } else if (kind == TokenKind::kVariable) {
      Emit(kind, "$" + word, start);
    } else if (word == "true" || word == "false") {
      Emit(TokenKind::kBool, word, start);
    } else if (word == "nil") {
      Emit(TokenKind::kNil, word, start);
    } else {
      static constexpr std::string_view kKeywords[] = {
          "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block"};
      bool keyword =
          std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
      Emit(keyword ? TokenKind::kKeyword : TokenKind::kIdentifier, word, start);
    }
    return true;
  }

  bool LexNumber() {
    size_t start = pos_;
    if (text_[pos_] == '+' || text_[pos_] == '-') ++pos_;
    bool hex = false;
    if (At("0x") || At("0X")) {
      hex = true;
      pos_ += 2;
    } else if (At("0o") || At("0O") || At("0b") || At("0B")) {
      pos_ += 2;
    }
    auto digits = [&] {
      size_t before = pos_;
      while (pos_ < text_.size() && (HexValue(text_[pos_]) >= 0 || text_[pos_] == '_') &&
             (hex || IsDigit(text_[pos_]) || text_[pos_] == '_')) {
        ++pos_;
      }
      return pos_ > before;
    };
    bool any = digits();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      any = digits() || any;
    }
    if (any && !hex && pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      any = digits();
    }
    if (!any || (pos_ < text_.size() && IsAlnum(text_[pos_]))) {
      while (pos_ < text_.size() && IsAlnum(text_[pos_])) ++pos_;
      return Fail("bad number syntax: \"" + std::string(text_.substr(start, pos_ - start)) + "\"");
    }
    Emit(TokenKind::kNumber, std::string(text_.substr(start, pos_ - start)), start);
    return true;
  }

  bool LexRawString() {
    size_t start = pos_;
    size_t close = text_.find('`', pos_ + 1);
    if (close == std::string_view::npos) return Fail("unterminated raw quoted string");
    pos_ = close + 1;
    Emit(TokenKind::kString, std::string(text_.substr(start + 1, close - start - 1)), start);
    return true;
  }

  // A Go-quoted string or character constant, unescaped.
  bool LexQuoted(char quote, TokenKind kind) {
    size_t start = pos_++;
    std::string value;
    const char* what =
        quote == '"' ? "unterminated quoted string" : "unterminated character constant";
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') return Fail(what);
      char c = text_[pos_];
      if (c == quote) break;
      if (c != '\\') {
        value += c;
        ++pos_;
        continue;
      }
      if (++pos_ >= text_.size()) return Fail(what);
      char e = text_[pos_++];
      switch (e) {
        case 'a':
          value += '\a';
          break;
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'v':
          value += '\v';
          break;
        case '\\':
          value += '\\';
          break;
        case '\'':
        case '"':
          if (e != quote)
            return Fail("invalid syntax in quoted text: unknown escape \\" + std::string(1, e));
          value += e;
          break;
        case 'x':
        case 'u':
        case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t r = 0;
          for (int k = 0; k < n; ++k, ++pos_) {
            if (pos_ >= text_.size() || HexValue(text_[pos_]) < 0) {
              return Fail("invalid syntax in quoted text: bad \\" + std::string(1, e) + " escape");
            }
            r = r * 16 + HexValue(text_[pos_]);
          }
          if (e == 'x') {
            value += static_cast<char>(r);
          } else {
            AppendRune(&value, r);
          }
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t r = e - '0';
            for (int k = 0; k < 2; ++k, ++pos_) {
              if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '7') {
                return Fail("invalid syntax in quoted text: bad octal escape");
              }
              r = r * 8 + (text_[pos_] - '0');
            }
            value += static_cast<char>(r);
            break;
          }
          return Fail("invalid syntax in quoted text: unknown escape \\" + std::string(1, e));
      }
    }
    ++pos_;  // closing quote
    if (kind == TokenKind::kCharConst) {
      DecodedRune d = DecodeRune(value);  // {kRuneError, 0} when empty
      char32_t r = d.rune;
      size_t size = d.width;
      if (value.empty() || size != value.size()) {
        return Fail("malformed character constant: " +
                    std::string(text_.substr(start, pos_ - start)));
      }
      Emit(kind, std::to_string(static_cast<uint32_t>(r)), start);
    } else {
      Emit(kind, std::move(value), start);
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool space_before_ = false;
  bool trim_next_text_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> Lex(std::string_view text) { return Lexer(text).Run(); }

int LineOf(std::string_view text, size_t pos) {
  pos = std::min(pos, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}

}  // namespace strata::format
