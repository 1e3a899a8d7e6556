#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::format {

// The kinds of token of Go's text/template language.
enum class TokenKind {
  kText,        // literal text between actions (trim markers already applied)
  kLeftDelim,   // {{ or {{-
  kRightDelim,  // }} or -}}
  kField,       // .Name (value without the dot)
  kDot,         // .
  kVariable,    // $ or $name (value with the dollar)
  kIdentifier,  // function name
  kKeyword,     // if else end range with break continue define template block
  kBool,        // true false
  kNil,         // nil
  kString,      // "..." or `...` (value unquoted)
  kCharConst,   // 'a' (value is the rune's code point in decimal)
  kNumber,      // 42 -1.5 0x1F 1e3
  kPipe,        // |
  kDeclare,     // :=
  kAssign,      // =
  kComma,       // ,
  kLeftParen,   // (
  kRightParen,  // )
  kChar,        // any other printable character inside an action
  kError,       // value is the message; always the last token
  kEof,
};

struct Token {
  TokenKind kind;
  std::string value;
  size_t pos = 0;             // byte offset in the template
  size_t end = 0;             // byte offset just past the token (inside actions)
  bool space_before = false;  // whitespace separates it from the previous token
};

// Splits a template into tokens, ending with kEof or kError. Comments
// ({{/* */}}) produce no tokens. Never fails: errors are kError tokens, so the
// parser reports the first problem in template order, as Go does.
std::vector<Token> Lex(std::string_view text);

// "1" + the number of newlines in text[0, pos): the line Go reports.
int LineOf(std::string_view text, size_t pos);

}  // namespace strata::format
