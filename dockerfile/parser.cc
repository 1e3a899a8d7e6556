#include "dockerfile/parser.h"

#include <string>
#include <utility>

#include "dockerfile/directives.h"
#include "dockerfile/go_strings.h"
#include "dockerfile/heredoc.h"
#include "dockerfile/line_parsers.h"

namespace strata::dockerfile {
namespace {

// bufio.Scanner's limit: a line (with its newline) must fit in 64 KiB.
constexpr size_t kMaxLineBytes = 64 * 1024;

// Yields physical lines with their line endings, as BuildKit's scanLines.
class LineScanner {
 public:
  explicit LineScanner(std::string_view content) : rest_(content) {}

  // False at the end of input or on a line that is too long (then !status().ok()).
  bool Next(std::string_view* line) {
    if (rest_.empty() || !status_.ok()) return false;
    size_t nl = rest_.find('\n');
    size_t len = nl == std::string_view::npos ? rest_.size() : nl + 1;
    const bool too_long = nl == std::string_view::npos ? len >= kMaxLineBytes : len > kMaxLineBytes;
    if (too_long) {
      status_ = Status::InvalidArgument("line " + std::to_string(lines_ + 1) +
                                        ": dockerfile line greater than max allowed size of " +
                                        std::to_string(kMaxLineBytes - 1));
      return false;
    }
    *line = rest_.substr(0, len);
    rest_.remove_prefix(len);
    ++lines_;
    return true;
  }

  const Status& status() const { return status_; }

 private:
  std::string_view rest_;
  int lines_ = 0;
  Status status_;
};

std::string_view TrimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool IsComment(std::string_view line) {
  line = go::TrimLeftSpace(line);
  return !line.empty() && line[0] == '#';
}

bool IsEmptyContinuationLine(std::string_view line) {
  return go::TrimLeftSpace(TrimNewline(line)).empty();
}

// Strips a trailing line-continuation escape (and blanks after it). Returns
// true when the line does NOT continue. An escape preceded by another escape
// ("foo \\") does not continue the line; a lone escape does.
bool TrimContinuation(std::string_view* line, char escape) {
  std::string_view t = *line;
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty() || t.back() != escape) return true;
  if (t.size() >= 2 && t[t.size() - 2] == escape) return true;
  t.remove_suffix(1);
  *line = t;
  return false;
}

bool CanContainHeredoc(const Instruction& inst) {
  const Instruction* node = &inst;
  if (inst.keyword == "onbuild" && !inst.onbuild.empty()) node = &inst.onbuild[0];
  const std::string& k = node->keyword;
  return (k == "add" || k == "copy" || k == "run") && !node->json;
}

Status AtLine(int line, const Status& s) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + s.message());
}

}  // namespace

Result<Ast> Parse(std::string_view content) {
  Ast ast;
  DirectiveParser directives;
  LineScanner scanner(content);
  int current_line = 0;
  std::vector<std::string> comments;
  std::string buf;
  std::string_view raw;

  while (scanner.Next(&raw)) {
    if (current_line == 0 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
    if (IsComment(raw)) {
      std::string_view comment = go::TrimSpace(raw.substr(1));
      if (comment.empty()) {
        comments.clear();
      } else {
        comments.emplace_back(comment);
      }
    }
    std::string_view token = go::TrimLeftSpace(TrimNewline(raw));
    Result<std::optional<Directive>> directive = directives.ParseLine(token, current_line + 1);
    if (!directive.ok()) return AtLine(current_line + 1, directive.status());
    if (directive->has_value()) {
      const Directive& d = **directive;
      if (d.name == "escape") {
        Result<char> escape = EscapeTokenFromDirective(d.value);
        if (!escape.ok()) return AtLine(current_line + 1, escape.status());
        ast.escape = *escape;
      }
      ast.directives.push_back(d);
      if (!comments.empty()) comments.pop_back();  // a directive is not a comment
    }
    if (IsComment(token)) token = {};
    ++current_line;

    const int start_line = current_line;
    bool end_of_line = TrimContinuation(&token, ast.escape);
    if (end_of_line && token.empty()) continue;
    buf.assign(token);

    bool has_empty_continuation_line = false;
    while (!end_of_line && scanner.Next(&raw)) {
      ++current_line;
      if (IsComment(raw)) continue;  // comment lines inside a continuation vanish
      std::string_view part = TrimNewline(raw);
      if (IsEmptyContinuationLine(part)) {
        has_empty_continuation_line = true;
        continue;
      }
      end_of_line = TrimContinuation(&part, ast.escape);
      buf.append(part);
    }
    if (!scanner.status().ok()) return scanner.status();
    if (has_empty_continuation_line) {
      ast.warnings.push_back("Empty continuation line found in: " + buf);
    }

    Result<Instruction> parsed = ParseInstructionLine(buf, ast.escape);
    if (!parsed.ok()) return AtLine(start_line, parsed.status());
    Instruction inst = std::move(parsed).value();
    inst.comments = std::move(comments);
    comments.clear();

    if (CanContainHeredoc(inst) && buf.find("<<") != std::string::npos) {
      Result<std::vector<Heredoc>> heredocs = HeredocsFromLine(buf);
      if (!heredocs.ok()) return AtLine(start_line, heredocs.status());
      for (Heredoc& heredoc : *heredocs) {
        bool terminated = false;
        while (scanner.Next(&raw)) {
          ++current_line;
          std::string_view candidate = TrimNewline(raw);
          if (heredoc.chomp) {
            while (!candidate.empty() && candidate[0] == '\t') candidate.remove_prefix(1);
          }
          if (candidate == heredoc.name) {
            terminated = true;
            break;
          }
          heredoc.content.append(raw);
        }
        if (!scanner.status().ok()) return scanner.status();
        if (!terminated) {
          return Status::InvalidArgument(
              "line " + std::to_string(start_line) + ": unterminated heredoc <<" + heredoc.name +
              ": add a line `" + heredoc.name + "` after its content");
        }
        inst.heredocs.push_back(std::move(heredoc));
      }
    }
    inst.start_line = start_line;
    inst.end_line = current_line;
    ast.instructions.push_back(std::move(inst));
  }
  if (!scanner.status().ok()) return scanner.status();
  if (ast.instructions.empty()) {
    return Status::InvalidArgument("line " + std::to_string(current_line) +
                                   ": file with no instructions; a Dockerfile needs at least a FROM");
  }
  return ast;
}

}  // namespace strata::dockerfile
