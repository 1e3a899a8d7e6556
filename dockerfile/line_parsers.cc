#include "dockerfile/line_parsers.h"

#include "dockerfile/go_strings.h"
#include "dockerfile/json_array.h"

namespace strata::dockerfile {
namespace {

// BuildKit's reWhitespace: [\t\v\f\r ]+
bool IsSeparator(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// Go's WriteRune(rune(b)) for a byte: bytes >= 0x80 become two UTF-8 bytes
// (Latin-1 code points), as BuildKit's byte-wise flag loop produces them.
void AppendByteAsRune(std::string* out, unsigned char b) { go::AppendRune(out, b); }

// regexp.MustCompile(`[\t\v\f\r ]+`).Split(s, n) with n == -1 or n == 2.
std::vector<std::string> SplitWhitespace(std::string_view s, int n) {
  if (s.empty()) return {""};
  std::vector<std::string> out;
  size_t beg = 0, end = 0, i = 0;
  while (i < s.size()) {
    if (!IsSeparator(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsSeparator(s[j])) ++j;
    if (n > 0 && static_cast<int>(out.size()) == n - 1) break;
    end = i;
    if (j != 0) out.emplace_back(s.substr(beg, end - beg));
    beg = j;
    i = j;
  }
  if (end != s.size()) out.emplace_back(s.substr(beg));
  return out;
}

// extractBuilderFlags: leading `--x[=y]` words; returns the unparsed rest.
std::string ExtractBuilderFlags(std::string_view line, char escape, std::vector<std::string>* flags) {
  enum { kInSpaces, kInWord, kInQuote } phase = kInSpaces;
  std::string word;
  unsigned char quote = 0;
  bool blank_ok = false;
  unsigned char ch = 0;
  const auto esc = static_cast<unsigned char>(escape);
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    if (pos != line.size()) ch = static_cast<unsigned char>(line[pos]);
    if (phase == kInSpaces) {
      if (pos == line.size()) break;
      if (go::IsSpaceByte(ch)) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
        return std::string(line.substr(pos));
      }
      phase = kInWord;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) flags->push_back(word);
      break;
    }
    if (phase == kInWord) {
      if (go::IsSpaceByte(ch)) {
        phase = kInSpaces;
        if (word == "--") return std::string(line.substr(pos));
        if (blank_ok || !word.empty()) flags->push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kInQuote;
        continue;
      }
      if (ch == esc) {
        if (pos + 1 == line.size()) continue;  // an escape at the very end is dropped
        ch = static_cast<unsigned char>(line[++pos]);
      }
      AppendByteAsRune(&word, ch);
      continue;
    }
    // kInQuote
    if (ch == quote) {
      phase = kInWord;
      continue;
    }
    if (ch == esc) {
      if (pos + 1 == line.size()) {
        phase = kInWord;
        continue;
      }
      ch = static_cast<unsigned char>(line[++pos]);
    }
    AppendByteAsRune(&word, ch);
  }
  return "";
}

using Args = std::vector<std::string>;

Status ParseNameVal(std::string_view rest, std::string_view key, char escape, Args* args) {
  std::vector<std::string> words = ParseWords(rest, escape);
  if (words.empty()) return Status::OK();
  if (words[0].find('=') == std::string::npos) {  // legacy `KEY name value`
    std::vector<std::string> parts = SplitWhitespace(rest, 2);
    if (parts.size() < 2) {
      return Status::InvalidArgument(std::string(key) + " must have two arguments; write `" +
                                     std::string(key) + " " + parts[0] + "=<value>`");
    }
    *args = {parts[0], parts[1], ""};
    return Status::OK();
  }
  for (const std::string& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("Syntax error - can't find = in " + go::Quote(word) +
                                     ". Must be of the form: name=value");
    }
    args->push_back(word.substr(0, eq));
    args->push_back(word.substr(eq + 1));
    args->push_back("=");
  }
  return Status::OK();
}

void ParseStringsWhitespaceDelimited(std::string_view rest, Args* args) {
  if (rest.empty()) return;
  *args = SplitWhitespace(rest, -1);
}

Status ParseMaybeJson(std::string_view rest, Instruction* inst) {
  if (rest.empty()) return Status::OK();
  switch (ParseJsonStringArray(rest, &inst->args)) {
    case JsonArrayKind::kStringArray:
      inst->json = true;
      return Status::OK();
    case JsonArrayKind::kNotStringArray:
      return Status::InvalidArgument(
          "when using JSON array syntax, arrays must be comprised of strings only");
    case JsonArrayKind::kNotJsonArray:
      break;
  }
  inst->args = {std::string(rest)};
  return Status::OK();
}

Status ParseMaybeJsonToList(std::string_view rest, Instruction* inst) {
  switch (ParseJsonStringArray(rest, &inst->args)) {
    case JsonArrayKind::kStringArray:
      inst->json = true;
      return Status::OK();
    case JsonArrayKind::kNotStringArray:
      return Status::InvalidArgument(
          "when using JSON array syntax, arrays must be comprised of strings only");
    case JsonArrayKind::kNotJsonArray:
      break;
  }
  ParseStringsWhitespaceDelimited(rest, &inst->args);
  return Status::OK();
}

Status ParseHealthConfig(std::string_view rest, Instruction* inst) {
  size_t sep = 0;
  while (sep < rest.size() && !go::IsSpaceByte(static_cast<unsigned char>(rest[sep]))) ++sep;
  size_t next = sep;
  while (next < rest.size() && go::IsSpaceByte(static_cast<unsigned char>(rest[next]))) ++next;
  if (sep == 0) return Status::OK();
  Instruction cmd;
  TRY(ParseMaybeJson(rest.substr(next), &cmd));
  inst->args.push_back(std::string(rest.substr(0, sep)));
  for (std::string& a : cmd.args) inst->args.push_back(std::move(a));
  inst->json = cmd.json;
  return Status::OK();
}

Result<Instruction> ParseLineAtDepth(std::string_view line, char escape, int depth) {
  SplitCommandResult split = SplitCommand(line, escape);
  Instruction inst;
  inst.keyword = go::ToLower(split.command);
  inst.flags = std::move(split.flags);
  inst.original = std::string(line);
  const std::string& k = inst.keyword;
  std::string_view rest = split.args;
  if (k == "run" || k == "cmd" || k == "entrypoint" || k == "shell") {
    TRY(ParseMaybeJson(rest, &inst));
  } else if (k == "add" || k == "copy" || k == "volume") {
    TRY(ParseMaybeJsonToList(rest, &inst));
  } else if (k == "env") {
    TRY(ParseNameVal(rest, "ENV", escape, &inst.args));
  } else if (k == "label") {
    TRY(ParseNameVal(rest, "LABEL", escape, &inst.args));
  } else if (k == "arg") {
    inst.args = ParseWords(rest, escape);
  } else if (k == "from" || k == "expose") {
    ParseStringsWhitespaceDelimited(rest, &inst.args);
  } else if (k == "maintainer" || k == "user" || k == "workdir" || k == "stopsignal") {
    if (!rest.empty()) inst.args = {std::string(rest)};
  } else if (k == "healthcheck") {
    TRY(ParseHealthConfig(rest, &inst));
  } else if (k == "onbuild") {
    if (!rest.empty()) {
      if (depth >= kMaxOnbuildDepth) {
        return Status::InvalidArgument("ONBUILD nested more than " + std::to_string(kMaxOnbuildDepth) +
                                       " levels deep; ONBUILD cannot be chained");
      }
      ASSIGN_OR_RETURN(Instruction child, ParseLineAtDepth(rest, escape, depth + 1));
      inst.onbuild.push_back(std::move(child));
    }
  } else {
    inst.args = {""};  // BuildKit keeps unknown instructions with one empty argument
  }
  return inst;
}

}  // namespace

SplitCommandResult SplitCommand(std::string_view line, char escape) {
  SplitCommandResult out;
  std::vector<std::string> cmdline = SplitWhitespace(go::TrimSpace(line), 2);
  out.command = std::move(cmdline[0]);
  if (cmdline.size() == 2) {
    std::string rest = ExtractBuilderFlags(cmdline[1], escape, &out.flags);
    out.args = std::string(go::TrimSpace(rest));
  }
  return out;
}

std::vector<std::string> ParseWords(std::string_view rest, char escape) {
  enum { kInSpaces, kInWord, kInQuote } phase = kInSpaces;
  std::vector<std::string> words;
  char32_t quote = 0;
  bool blank_ok = false;
  char32_t ch = 0;
  size_t width = 0;
  std::string word;
  const auto esc = static_cast<char32_t>(static_cast<unsigned char>(escape));
  auto decode = [&](size_t at) {
    go::DecodedRune d = go::DecodeRune(rest.substr(at));
    ch = d.rune;
    width = d.width;
  };
  for (size_t pos = 0; pos <= rest.size(); pos += width) {
    if (pos != rest.size()) decode(pos);
    if (phase == kInSpaces) {
      if (pos == rest.size()) break;
      if (go::IsSpace(ch)) continue;
      phase = kInWord;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == kInWord) {
      if (go::IsSpace(ch)) {
        phase = kInSpaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kInQuote;
      }
      if (ch == esc) {
        if (pos + width == rest.size()) continue;  // an escape at the very end is dropped
        // Unquoted: keep the escape and the character after it, even a quote.
        go::AppendRune(&word, ch);
        pos += width;
        decode(pos);
      }
      go::AppendRune(&word, ch);
      continue;
    }
    // kInQuote
    if (ch == quote) phase = kInWord;
    if (ch == esc && quote != '\'') {
      if (pos + width == rest.size()) {
        phase = kInWord;
        continue;
      }
      pos += width;
      go::AppendRune(&word, ch);
      decode(pos);
    }
    go::AppendRune(&word, ch);
  }
  return words;
}

Result<Instruction> ParseInstructionLine(std::string_view line, char escape) {
  return ParseLineAtDepth(line, escape, 0);
}

}  // namespace strata::dockerfile
