#include "cli/format/parser.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "cli/format/go_fmt.h"
#include "cli/format/lexer.h"
#include "common/numbers.h"

namespace strata::format {
namespace {

// Go's reading of a number literal: a '.', 'e' or 'E' outside a hex literal
// makes a float64, anything else an int.
std::optional<Json> ParseNumber(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  bool negative = !text.empty() && text[0] == '-';
  std::string body = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? text.substr(1) : text;
  int base = 10;
  if (body.size() > 2 && body[0] == '0') {
    char p = static_cast<char>(body[1] | 0x20);
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
    if (base != 10) body = body.substr(2);
  }
  bool is_float = base == 10 && body.find_first_of(".eE") != std::string::npos;
  errno = 0;
  char* end = nullptr;
  if (is_float) {
    double v = std::strtod(body.c_str(), &end);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return Json(negative ? -v : v);
  }
  if (base == 10 && body.size() > 1 && body[0] == '0') base = 8;  // Go: 017 is octal
  unsigned long long v = std::strtoull(body.c_str(), &end, base);
  if (errno != 0 || *end != '\0' || body.empty()) return std::nullopt;
  if (negative) {
    if (v > 9223372036854775808ULL) return std::nullopt;
    return Json(static_cast<int64_t>(0 - v));
  }
  if (v > 9223372036854775807ULL) return std::nullopt;
  return Json(static_cast<int64_t>(v));
}

class Parser {
 public:
  Parser(std::string_view text, const std::function<bool(std::string_view)>& is_function)
      : text_(text), tokens_(Lex(text)), is_function_(is_function) {}

  Result<std::vector<Node>> Run() {
    std::vector<Node> body;
    Terminator end = ParseList(&body);
    if (!error_.ok()) return error_;
    if (end != Terminator::kEof) {
      Fail(end == Terminator::kEnd ? "unexpected {{end}}" : "unexpected {{else}}", last_pos_);
      return error_;
    }
    return body;
  }

 private:
  enum class Terminator { kEof, kEnd, kElse, kError };

  const Token& Peek() const { return tokens_[std::min(next_, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = Peek();
    if (next_ < tokens_.size()) ++next_;
    last_pos_ = t.pos;
    return t;
  }
  bool PeekKeyword(std::string_view word) const {
    return Peek().kind == TokenKind::kKeyword && Peek().value == word;
  }

  // Records the first error; always returns false.
  bool Fail(const std::string& message, size_t pos) {
    if (error_.ok()) {
      error_ = Status::InvalidArgument("template: :" + std::to_string(LineOf(text_, pos)) + ": " +
                                       message);
    }
    return false;
  }
  bool Unexpected(const Token& t, std::string_view context) {
    if (t.kind == TokenKind::kError) return Fail(t.value, t.pos);
    return Fail("unexpected " + Describe(t) + " in " + std::string(context), t.pos);
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEof:
        return "EOF";
      case TokenKind::kLeftDelim:
        return "\"{{\"";
      case TokenKind::kRightDelim:
        return "\"}}\"";
      case TokenKind::kKeyword:
        return "<" + t.value + ">";
      case TokenKind::kField:
        return GoQuote("." + t.value);
      case TokenKind::kDot:
        return "\".\"";
      default:
        return t.value.size() > 10 ? GoQuote(t.value.substr(0, 10)) + "..." : GoQuote(t.value);
    }
  }

  // Parses nodes into *list up to EOF, {{end}} or {{else}} (which it
  // consumes up to the keyword).
  Terminator ParseList(std::vector<Node>* list) {
    while (true) {
      const Token& t = Next();
      switch (t.kind) {
        case TokenKind::kEof:
          return Terminator::kEof;
        case TokenKind::kError:
          Fail(t.value, t.pos);
          return Terminator::kError;
        case TokenKind::kText:
          list->push_back(Node{Node::Kind::kText, t.pos, t.value, nullptr, {}, {}});
          continue;
        case TokenKind::kLeftDelim:
          break;
        default:
          Unexpected(t, "template");
          return Terminator::kError;
      }
      if (PeekKeyword("end")) {
        Next();
        if (Peek().kind != TokenKind::kRightDelim) {
          Unexpected(Peek(), "end");
          return Terminator::kError;
        }
        Next();
        return Terminator::kEnd;
      }
      if (PeekKeyword("else")) {
        Next();
        return Terminator::kElse;
      }
      if (!ParseAction(list)) return Terminator::kError;
    }
  }

  // The action after "{{", up to and including "}}".
  bool ParseAction(std::vector<Node>* list) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kKeyword) {
      if (t.value == "if" || t.value == "range" || t.value == "with") {
        Next();
        Node node;
        if (!ParseControl(t.value, &node)) return false;
        list->push_back(std::move(node));
        return true;
      }
      if (t.value == "break" || t.value == "continue") {
        Next();
        if (range_depth_ == 0) return Fail("{{" + t.value + "}} outside {{range}}", t.pos);
        if (Peek().kind != TokenKind::kRightDelim) return Unexpected(Peek(), "{{" + t.value + "}}");
        Next();
        Node node;
        node.kind = t.value == "break" ? Node::Kind::kBreak : Node::Kind::kContinue;
        node.pos = t.pos;
        list->push_back(std::move(node));
        return true;
      }
      return Fail("{{" + t.value + "}} is not supported: templates here have no named templates",
                  t.pos);
    }
    Node node;
    node.kind = Node::Kind::kAction;
    node.pos = t.pos;
    auto pipe = std::make_shared<Pipeline>();
    if (!ParsePipeline("command", TokenKind::kRightDelim, pipe.get())) return false;
    node.pipeline = std::move(pipe);
    list->push_back(std::move(node));
    return true;
  }

  // {{if|range|with pipeline}} body [{{else}} body | {{else if ...}}] {{end}},
  // with the keyword consumed.
  bool ParseControl(const std::string& context, Node* node) {
    if (++depth_ > kMaxDepth) return Fail("max depth exceeded", last_pos_);
    size_t outer_vars = vars_.size();
    node->kind = context == "if"      ? Node::Kind::kIf
                 : context == "range" ? Node::Kind::kRange
                                      : Node::Kind::kWith;
    node->pos = last_pos_;
    auto pipe = std::make_shared<Pipeline>();
    if (!ParsePipeline(context, TokenKind::kRightDelim, pipe.get())) return false;
    node->pipeline = std::move(pipe);

    if (context == "range") ++range_depth_;
    Terminator end = ParseScopedList(&node->body);
    if (context == "range") --range_depth_;
    if (end == Terminator::kError) return false;
    if (end == Terminator::kEof) return Fail("unexpected EOF", text_.size());
    if (end == Terminator::kElse) {
      if ((context == "if" && PeekKeyword("if")) || (context == "with" && PeekKeyword("with"))) {
        // {{else if b}} stands for {{else}}{{if b}}...{{end}}{{end}}: the
        // nested control consumes the shared {{end}}.
        Next();
        Node nested;
        if (!ParseControl(context, &nested)) return false;
        node->else_body.push_back(std::move(nested));
      } else {
        if (Peek().kind != TokenKind::kRightDelim) return Unexpected(Peek(), "else");
        Next();
        end = ParseScopedList(&node->else_body);
        if (end == Terminator::kError) return false;
        if (end == Terminator::kEof) return Fail("unexpected EOF", text_.size());
        if (end == Terminator::kElse) return Fail("expected end; found {{else}}", last_pos_);
      }
    }
    vars_.resize(outer_vars);
    --depth_;
    return true;
  }

  Terminator ParseScopedList(std::vector<Node>* list) {
    size_t mark = vars_.size();
    Terminator end = ParseList(list);
    vars_.resize(mark);
    return end;
  }

  bool ParsePipeline(const std::string& context, TokenKind end, Pipeline* pipe) {
    pipe->pos = Peek().pos;
    // Declarations: "$x :=", "$x =", and for range "$i, $e :=".
    while (Peek().kind == TokenKind::kVariable) {
      const Token& var = tokens_[next_];
      const Token& after = tokens_[std::min(next_ + 1, tokens_.size() - 1)];
      if (after.kind == TokenKind::kDeclare || after.kind == TokenKind::kAssign) {
        Next();
        Next();
        pipe->is_assign = after.kind == TokenKind::kAssign;
        if (pipe->is_assign && !IsDeclared(var.value)) {
          return Fail("undefined variable \"" + var.value + "\"", var.pos);
        }
        pipe->variables.push_back(var.value);
        break;
      }
      if (after.kind != TokenKind::kComma) break;
      Next();
      Next();
      pipe->variables.push_back(var.value);
      if (context != "range" || pipe->variables.size() >= 2) {
        return Fail("too many declarations in " + context, var.pos);
      }
      if (Peek().kind != TokenKind::kVariable) {
        return Fail("range can only initialize variables", Peek().pos);
      }
    }
    if (!pipe->variables.empty() && !pipe->is_assign) {
      if (tokens_[next_ - 1].kind == TokenKind::kComma) {
        return Fail("range can only initialize variables", Peek().pos);
      }
    }
    while (true) {
      const Token& t = Peek();
      if (t.kind == end) {
        Next();
        break;
      }
      switch (t.kind) {
        case TokenKind::kBool:
        case TokenKind::kCharConst:
        case TokenKind::kDot:
        case TokenKind::kField:
        case TokenKind::kIdentifier:
        case TokenKind::kNumber:
        case TokenKind::kNil:
        case TokenKind::kString:
        case TokenKind::kVariable:
        case TokenKind::kLeftParen: {
          Command cmd;
          if (!ParseCommand(&cmd)) return false;
          pipe->commands.push_back(std::move(cmd));
          continue;
        }
        default:
          Next();
          return Unexpected(t, context);
      }
    }
    if (pipe->commands.empty()) return Fail("missing value for " + context, pipe->pos);
    for (size_t i = 1; i < pipe->commands.size(); ++i) {
      Operand::Kind k = pipe->commands[i].operands[0].kind;
      bool value = k == Operand::Kind::kConstant || k == Operand::Kind::kNil ||
                   (k == Operand::Kind::kDot && pipe->commands[i].operands[0].fields.empty());
      if (value) {
        return Fail("non executable command in pipeline stage " + std::to_string(i + 1),
                    pipe->commands[i].pos);
      }
    }
    // Variables are declared after the pipeline: "{{$x := $x}}" reads the outer $x.
    if (!pipe->is_assign) {
      for (const std::string& v : pipe->variables) vars_.push_back(v);
    }
    return true;
  }

  bool IsDeclared(const std::string& name) const {
    return name == "$" || std::find(vars_.begin(), vars_.end(), name) != vars_.end();
  }

  // Operands up to "|", "}}" or ")" (not consumed, except "|").
  bool ParseCommand(Command* cmd) {
    cmd->pos = Peek().pos;
    size_t end_pos = cmd->pos;
    while (true) {
      Operand op;
      bool got = false;
      if (!ParseOperand(&op, &got)) return false;
      if (got) {
        end_pos = tokens_[next_ - 1].end;
        cmd->operands.push_back(std::move(op));
      }
      const Token& t = Peek();
      if (t.kind == TokenKind::kRightDelim || t.kind == TokenKind::kRightParen) break;
      if (t.kind == TokenKind::kPipe) {
        Next();
        break;
      }
      if (got && t.space_before) continue;
      Next();
      return Unexpected(t, "operand");
    }
    if (cmd->operands.empty()) return Fail("missing value for command", cmd->pos);
    cmd->source = std::string(text_.substr(cmd->pos, end_pos - cmd->pos));
    return true;
  }

  // One term with its field chain. Sets *got to false (consuming nothing)
  // when the next token cannot start an operand.
  bool ParseOperand(Operand* op, bool* got) {
    const Token& t = Peek();
    op->pos = t.pos;
    *got = true;
    switch (t.kind) {
      case TokenKind::kIdentifier:
        Next();
        if (!is_function_(t.value)) return Fail("function \"" + t.value + "\" not defined", t.pos);
        op->kind = Operand::Kind::kFunction;
        op->name = t.value;
        break;
      case TokenKind::kDot:
        Next();
        op->kind = Operand::Kind::kDot;
        break;
      case TokenKind::kField:
        op->kind = Operand::Kind::kDot;  // its name joins the chain below
        break;
      case TokenKind::kVariable:
        Next();
        if (!IsDeclared(t.value)) return Fail("undefined variable \"" + t.value + "\"", t.pos);
        op->kind = Operand::Kind::kVariable;
        op->name = t.value;
        break;
      case TokenKind::kNil:
        Next();
        op->kind = Operand::Kind::kNil;
        break;
      case TokenKind::kBool:
        Next();
        op->kind = Operand::Kind::kConstant;
        op->constant = t.value == "true";
        break;
      case TokenKind::kString:
        Next();
        op->kind = Operand::Kind::kConstant;
        op->constant = t.value;
        break;
      case TokenKind::kCharConst:
        Next();
        op->kind = Operand::Kind::kConstant;
        // The lexer wrote the rune's code point in decimal.
        op->constant = ParseInt64(t.value).value_or(0);
        break;
      case TokenKind::kNumber: {
        Next();
        std::optional<Json> n = ParseNumber(t.value);
        if (!n) return Fail("illegal number syntax: \"" + t.value + "\"", t.pos);
        op->kind = Operand::Kind::kConstant;
        op->constant = std::move(*n);
        break;
      }
      case TokenKind::kLeftParen: {
        Next();
        if (++depth_ > kMaxDepth) return Fail("max depth exceeded", t.pos);
        auto pipe = std::make_shared<Pipeline>();
        if (!ParsePipeline("parenthesized pipeline", TokenKind::kRightParen, pipe.get())) {
          return false;
        }
        --depth_;
        op->kind = Operand::Kind::kPipeline;
        op->pipeline = std::move(pipe);
        break;
      }
      case TokenKind::kError:
        return Fail(t.value, t.pos);
      default:
        *got = false;
        return true;
    }
    // A field chain must follow the term without a space: "$x.A", "(f).A".
    bool first = true;
    while (Peek().kind == TokenKind::kField &&
           ((first && t.kind == TokenKind::kField) || !Peek().space_before)) {
      first = false;
      if (op->kind == Operand::Kind::kConstant || op->kind == Operand::Kind::kNil ||
          op->kind == Operand::Kind::kFunction || (t.kind == TokenKind::kDot)) {
        return Fail(
            "unexpected . after term \"" + std::string(text_.substr(t.pos, t.end - t.pos)) + "\"",
            Peek().pos);
      }
      op->fields.push_back(Next().value);
    }
    op->source = std::string(text_.substr(op->pos, tokens_[next_ - 1].end - op->pos));
    return true;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  const std::function<bool(std::string_view)>& is_function_;
  size_t next_ = 0;
  size_t last_pos_ = 0;
  int range_depth_ = 0;
  // Nesting of controls and parentheses, bounded so that recursion cannot
  // exhaust the stack.
  static constexpr int kMaxDepth = 1000;
  int depth_ = 0;
  std::vector<std::string> vars_;
  Status error_;
};

}  // namespace

Result<std::vector<Node>> ParseTemplate(std::string_view text,
                                        const std::function<bool(std::string_view)>& is_function) {
  return Parser(text, is_function).Run();
}

}  // namespace strata::format
