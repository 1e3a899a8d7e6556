#include "dockerfile/heredoc.h"

#include <cstdint>

#include "dockerfile/go_strings.h"

namespace strata::dockerfile {
namespace {

constexpr char32_t kEof = static_cast<char32_t>(-1);

std::string RuneString(char32_t r) {
  std::string s;
  go::AppendRune(&s, r == kEof ? go::kRuneError : r);
  return s;
}

bool IsSpecialParam(char32_t r) {
  switch (r) {
    case '@': case '*': case '#': case '?': case '-': case '$': case '!': case '0':
      return true;
    default:
      return false;
  }
}

// Word splitting as BuildKit's shell lexer does it with an empty environment
// and SkipUnsetEnv: every `$VAR` / `${VAR...}` is kept as written. The escape
// character is always the backslash (BuildKit ignores `# escape=` here).
// RawQuotes keeps quote characters in the words; RawEscapes keeps escapes.
class HeredocWordLexer {
 public:
  HeredocWordLexer(std::string_view input, bool raw_quotes, bool raw_escapes)
      : in_(input), raw_quotes_(raw_quotes), raw_escapes_(raw_escapes) {}

  Status ProcessWords(std::vector<std::string>* words) {
    std::string result;
    Status s = ProcessStopOn(kEof, raw_escapes_, &result, words);
    if (!s.ok()) return Status::InvalidArgument("failed to process " + go::Quote(in_) + ": " + s.message());
    return s;
  }

 private:
  // Mirrors shellWord.words: `buf` is shared by nested calls, as in BuildKit
  // (a nested ${...} resets the partial word of its caller).
  struct Words {
    std::string* buf;
    std::vector<std::string> words;
    bool in_word = false;

    void AddChar(char32_t ch) {
      if (go::IsSpace(ch)) {
        if (in_word && !buf->empty()) {
          words.push_back(*buf);
          buf->clear();
          in_word = false;
        }
        return;
      }
      AddRawChar(ch);
    }
    void AddRawChar(char32_t ch) {
      go::AppendRune(buf, ch);
      in_word = true;
    }
    void AddString(std::string_view s) {
      while (!s.empty()) {
        go::DecodedRune d = go::DecodeRune(s);
        AddChar(d.rune);
        s.remove_prefix(d.width);
      }
    }
    void AddRawString(std::string_view s) {
      buf->append(s);
      in_word = true;
    }
    std::vector<std::string> Take() {
      if (!buf->empty()) {
        words.push_back(*buf);
        buf->clear();
        in_word = false;
      }
      return std::move(words);
    }
  };

  char32_t Peek() {
    if (!started_) {
      started_ = true;
      if (!in_.empty() && go::DecodeRune(in_).rune == 0xFEFF) pos_ += 3;  // text/scanner skips a BOM
    }
    if (pos_ >= in_.size()) return kEof;
    return go::DecodeRune(in_.substr(pos_)).rune;
  }
  char32_t Next() {
    char32_t r = Peek();
    if (r != kEof) pos_ += go::DecodeRune(in_.substr(pos_)).width;
    return r;
  }

  Status ProcessStopOn(char32_t stop, bool raw_escapes, std::string* result_out,
                       std::vector<std::string>* words_out) {
    // Go's stacks grow; ours do not. Nested ${...} deeper than this is
    // treated as a lexing error (the line then names no heredoc).
    if (depth_ >= kMaxNesting) {
      return Status::InvalidArgument("variable expansions nested more than " +
                                     std::to_string(kMaxNesting) + " deep");
    }
    ++depth_;
    const bool saved_raw_escapes = raw_escapes_;
    raw_escapes_ = raw_escapes;
    Status s = ProcessStopOnImpl(stop, result_out, words_out);
    raw_escapes_ = saved_raw_escapes;
    --depth_;
    return s;
  }

  Status ProcessStopOnImpl(char32_t stop, std::string* result_out, std::vector<std::string>* words_out) {
    std::string result;
    words_buffer_.clear();
    Words words{&words_buffer_, {}, false};
    while (Peek() != kEof) {
      char32_t ch = Peek();
      if (stop != kEof && ch == stop) {
        Next();
        *result_out = std::move(result);
        *words_out = words.Take();
        return Status::OK();
      }
      if (ch == '$' || ch == '<' || ch == '\'' || ch == '"') {
        std::string tmp;
        if (ch == '$') {
          TRY(ProcessDollar(&tmp));
        } else if (ch == '<') {
          tmp = ProcessPossibleHeredoc();
        } else if (ch == '\'') {
          TRY(ProcessSingleQuote(&tmp));
        } else {
          TRY(ProcessDoubleQuote(&tmp));
        }
        result += tmp;
        if (ch == '$') {
          words.AddString(tmp);
        } else {
          words.AddRawString(tmp);
        }
        continue;
      }
      ch = Next();
      if (ch == kEscape) {
        if (raw_escapes_) {
          words.AddRawChar(ch);
          go::AppendRune(&result, ch);
        }
        ch = Next();
        if (ch == kEof) break;
        words.AddRawChar(ch);
      } else {
        words.AddChar(ch);
      }
      go::AppendRune(&result, ch);
    }
    if (stop != kEof) {
      return Status::InvalidArgument("unexpected end of statement while looking for matching " +
                                     RuneString(stop));
    }
    *result_out = std::move(result);
    *words_out = words.Take();
    return Status::OK();
  }

  Status ProcessSingleQuote(std::string* out) {
    char32_t ch = Next();
    if (raw_quotes_) go::AppendRune(out, ch);
    while (true) {
      ch = Next();
      if (ch == kEof) {
        return Status::InvalidArgument("unexpected end of statement while looking for matching single-quote");
      }
      if (ch == '\'') {
        if (raw_quotes_) go::AppendRune(out, ch);
        return Status::OK();
      }
      go::AppendRune(out, ch);
    }
  }

  Status ProcessDoubleQuote(std::string* out) {
    char32_t ch = Next();
    if (raw_quotes_) go::AppendRune(out, ch);
    while (true) {
      char32_t p = Peek();
      if (p == kEof) {
        return Status::InvalidArgument("unexpected end of statement while looking for matching double-quote");
      }
      if (p == '"') {
        ch = Next();
        if (raw_quotes_) go::AppendRune(out, ch);
        return Status::OK();
      }
      if (p == '$') {
        std::string value;
        TRY(ProcessDollar(&value));
        out->append(value);
        continue;
      }
      ch = Next();
      if (ch == kEscape) {
        if (raw_escapes_) go::AppendRune(out, ch);
        char32_t q = Peek();
        if (q == kEof) continue;  // the loop then reports the missing quote
        if (q == '"' || q == '$' || q == kEscape) ch = Next();
      }
      go::AppendRune(out, ch);
    }
  }

  std::string ProcessName() {
    std::string name;
    while (Peek() != kEof) {
      char32_t ch = Peek();
      if (name.empty() && go::IsDigit(ch)) {
        while (Peek() != kEof && go::IsDigit(Peek())) go::AppendRune(&name, Next());
        return name;
      }
      if (name.empty() && IsSpecialParam(ch)) {
        Next();
        return RuneString(ch);
      }
      if (!go::IsLetter(ch) && !go::IsDigit(ch) && ch != '_') break;
      go::AppendRune(&name, Next());
    }
    return name;
  }

  // With an empty environment every expansion is left as written.
  Status ProcessDollar(std::string* out) {
    Next();  // '$'
    if (Peek() != '{') {
      *out = "$" + ProcessName();
      return Status::OK();
    }
    Next();  // '{'
    char32_t p = Peek();
    if (p == kEof) return Status::InvalidArgument("syntax error: missing '}'");
    if (p == '{' || p == '}' || p == ':') return Status::InvalidArgument("syntax error: bad substitution");
    std::string name = ProcessName();
    char32_t ch = Next();
    std::string chs = RuneString(ch);
    bool null_is_unset = false;
    if (ch == '}') {
      *out = "${" + name + "}";
      return Status::OK();
    }
    if (ch == ':') {
      null_is_unset = true;
      ch = Next();
      chs += RuneString(ch);
    }
    if (null_is_unset || ch == '+' || ch == '-' || ch == '?' || ch == '#' || ch == '%') {
      const bool raw = ch == '#' || ch == '%';
      if (null_is_unset && raw) {
        return Status::InvalidArgument("unsupported modifier (" + chs + ") in substitution");
      }
      std::string word;
      std::vector<std::string> ignored;
      Status s = ProcessStopOn('}', raw, &word, &ignored);
      if (!s.ok()) {
        if (Peek() == kEof) return Status::InvalidArgument("syntax error: missing '}'");
        return s;
      }
      *out = "${" + name + chs + word + "}";
      return Status::OK();
    }
    if (ch == '/') {
      if (Peek() == '/') Next();  // replace-all; the reconstruction keeps one '/'
      std::string pattern, replacement;
      std::vector<std::string> ignored;
      Status s = ProcessStopOn('/', true, &pattern, &ignored);
      if (!s.ok()) {
        if (Peek() == kEof) return Status::InvalidArgument("syntax error: missing '/' in ${}");
        return s;
      }
      s = ProcessStopOn('}', true, &replacement, &ignored);
      if (!s.ok()) {
        if (Peek() == kEof) return Status::InvalidArgument("syntax error: missing '}'");
        return s;
      }
      *out = "${" + name + "/" + pattern + "/" + replacement + "}";
      return Status::OK();
    }
    return Status::InvalidArgument("unsupported modifier (" + chs + ") in substitution");
  }

  std::string ProcessPossibleHeredoc() {
    Next();  // '<'
    if (Peek() != '<') return "<";
    Next();
    std::string result = "<<";
    while (Peek() == ' ' || Peek() == '\t' || Peek() == '\r') go::AppendRune(&result, Next());
    return result;
  }

  static constexpr char32_t kEscape = '\\';
  static constexpr int kMaxNesting = 200;
  int depth_ = 0;
  std::string_view in_;
  size_t pos_ = 0;
  bool started_ = false;
  bool raw_quotes_;
  bool raw_escapes_;
  std::string words_buffer_;
};

size_t CountQuotes(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (c == '\'' || c == '"');
  return n;
}

bool IsRegexSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

}  // namespace

Result<std::optional<Heredoc>> ParseHeredocWord(std::string_view src) {
  // ^(\d*)<<(-?)\s*([^<]*)$
  size_t i = 0;
  uint64_t fd = 0;
  while (i < src.size() && src[i] >= '0' && src[i] <= '9') {
    uint64_t digit = static_cast<uint64_t>(src[i] - '0');
    fd = fd > (UINT64_MAX - digit) / 10 ? UINT64_MAX : fd * 10 + digit;  // ParseUint saturates
    ++i;
  }
  if (src.substr(i, 2) != "<<") return std::optional<Heredoc>();
  i += 2;
  const bool chomp = i < src.size() && src[i] == '-';
  if (chomp) ++i;
  while (i < src.size() && IsRegexSpace(src[i])) ++i;
  std::string_view rest = src.substr(i);
  if (rest.find('<') != std::string_view::npos || rest.empty()) return std::optional<Heredoc>();

  std::vector<std::string> words;
  TRY(HeredocWordLexer(rest, /*raw_quotes=*/false, /*raw_escapes=*/false).ProcessWords(&words));
  if (words.size() != 1) return std::optional<Heredoc>();
  std::vector<std::string> raw_words;
  TRY(HeredocWordLexer(rest, /*raw_quotes=*/true, /*raw_escapes=*/false).ProcessWords(&raw_words));
  if (raw_words.size() != words.size()) {
    return Status::InvalidArgument("internal lexing of heredoc produced inconsistent results: " +
                                   std::string(rest));
  }
  Heredoc heredoc;
  heredoc.name = words[0];
  heredoc.expand = CountQuotes(words[0]) == CountQuotes(raw_words[0]);
  heredoc.chomp = chomp;
  heredoc.file_descriptor = fd;
  return std::optional<Heredoc>(std::move(heredoc));
}

Result<std::vector<Heredoc>> HeredocsFromLine(std::string_view line) {
  std::vector<std::string> words;
  // BuildKit ignores a lexing error here: such a line names no heredoc.
  HeredocWordLexer(line, /*raw_quotes=*/true, /*raw_escapes=*/true)
      .ProcessWords(&words)
      .PermitUncheckedError();
  std::vector<Heredoc> docs;
  for (const std::string& word : words) {
    ASSIGN_OR_RETURN(std::optional<Heredoc> heredoc, ParseHeredocWord(word));
    if (heredoc) docs.push_back(std::move(*heredoc));
  }
  return docs;
}

std::string ChompHeredocContent(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out.push_back(c);
  }
  return out;
}

}  // namespace strata::dockerfile
