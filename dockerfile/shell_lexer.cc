#include "dockerfile/shell_lexer.h"

#include <cstdint>
#include <cstdio>
#include <utility>

#include "dockerfile/go_unicode.h"
#include "dockerfile/shell_pattern.h"

namespace strata::dockerfile {
namespace {

constexpr int32_t kEof = -1;

// Go's text/scanner as the lexer uses it: Peek/Next one rune at a time,
// invalid UTF-8 read as U+FFFD, a byte-order mark at the very start skipped.
class RuneReader {
 public:
  explicit RuneReader(std::string_view s) : s_(s) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  int32_t Peek() const { return Decode().first; }
  int32_t Next() {
    auto [rune, width] = Decode();
    pos_ += width;
    return rune;
  }
  size_t pos() const { return pos_; }
  std::string_view Slice(size_t from) const { return s_.substr(from, pos_ - from); }

 private:
  std::pair<int32_t, size_t> Decode() const {
    if (pos_ >= s_.size()) return {kEof, 0};
    auto c = static_cast<unsigned char>(s_[pos_]);
    if (c < 0x80) return {c, 1};
    DecodedRune d = DecodeRune(s_.substr(pos_));
    return {static_cast<int32_t>(d.rune), d.width};
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void Put(std::string* out, int32_t rune) {
  if (rune >= 0 && rune < 0x80) {
    out->push_back(static_cast<char>(rune));
  } else {
    AppendRune(out, rune < 0 ? kRuneError : static_cast<char32_t>(rune));
  }
}

// Go's string(rune): U+FFFD for EOF.
std::string RuneString(int32_t rune) {
  std::string s;
  Put(&s, rune);
  return s;
}

bool IsSpecialParam(int32_t ch) {
  switch (ch) {
    case '@': case '*': case '#': case '?': case '-': case '$': case '!': case '0':
      return true;
    default:
      return false;
  }
}

// Go's %q, enough for error messages: printable text as is, the rest escaped.
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    char buf[16];
    if (d.rune == kRuneError && d.width == 1) {
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[0]));
      out += buf;
    } else if (d.rune == '"' || d.rune == '\\') {
      out += '\\';
      out += static_cast<char>(d.rune);
    } else if (d.rune == '\n' || d.rune == '\t' || d.rune == '\r') {
      out += d.rune == '\n' ? "\\n" : d.rune == '\t' ? "\\t" : "\\r";
    } else if (d.rune < 0x20 || d.rune == 0x7F || (d.rune >= 0x80 && d.rune < 0xA0)) {
      std::snprintf(buf, sizeof buf, d.rune < 0x80 ? "\\x%02x" : "\\u%04x",
                    static_cast<unsigned>(d.rune));
      out += buf;
    } else {
      out.append(s.substr(0, d.width));
    }
    s.remove_prefix(d.width);
  }
  out += '"';
  return out;
}

Status Unsupported(std::string_view modifier) {
  return Status::InvalidArgument("unsupported modifier (" + std::string(modifier) +
                                 ") in substitution");
}

// BuildKit's wordsStruct: splits on Unicode white space what was not quoted
// or escaped. The buffer is shared with nested ${...} processing (see
// Expansion::StopOn).
class WordSplitter {
 public:
  explicit WordSplitter(std::string* buf) : buf_(buf) {}

  void AddChar(int32_t ch) {
    bool space = ch >= 0 && IsGoSpace(static_cast<char32_t>(ch));
    if (space && in_word_) {
      if (!buf_->empty()) {
        words_.push_back(std::move(*buf_));
        buf_->clear();
        in_word_ = false;
      }
    } else if (!space) {
      AddRawChar(ch);
    }
  }
  void AddRawChar(int32_t ch) {
    Put(buf_, ch);
    in_word_ = true;
  }
  void AddString(std::string_view s) {
    while (!s.empty()) {
      DecodedRune d = DecodeRune(s);
      AddChar(static_cast<int32_t>(d.rune));
      s.remove_prefix(d.width);
    }
  }
  void AddRawString(std::string_view s) {
    buf_->append(s);
    in_word_ = true;
  }
  std::vector<std::string> Finish() {
    if (!buf_->empty()) {
      words_.push_back(std::move(*buf_));
      buf_->clear();
      in_word_ = false;
    }
    return std::move(words_);
  }

 private:
  std::string* buf_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

// One expansion of one word (BuildKit's shellWord).
class Expansion {
 public:
  Expansion(int32_t escape, const ShellLexer::Options& options, std::string_view word,
            const ShellEnv& env, bool split, std::vector<std::string>* matched,
            std::vector<std::string>* unmatched)
      : escape_(escape), options_(options), word_(word), in_(word), env_(env), split_(split),
        raw_escapes_(options.raw_escapes), matched_(matched), unmatched_(unmatched) {}

  Status Run(std::string* result, std::vector<std::string>* words) {
    Status status = StopOn(kEof, options_.raw_escapes, result, split_ ? words : nullptr);
    if (status.ok()) return status;
    return Status::InvalidArgument("failed to process " + GoQuote(word_) + ": " +
                                   status.message());
  }

 private:
  // processStopOn: expands until stop (kEof: the end of the word). words is
  // non-null only for the outermost call of ProcessWords. As in BuildKit, a
  // nested call (inside ${...}) starts and ends by clearing the shared word
  // buffer, so ProcessWords("a${X:-b}") yields ["b"]; this mirrors BuildKit.
  Status StopOn(int32_t stop, bool raw_escapes, std::string* result,
                std::vector<std::string>* words) {
    struct Restore {
      bool* flag;
      bool value;
      ~Restore() { *flag = value; }
    } restore{&raw_escapes_, raw_escapes_};
    raw_escapes_ = raw_escapes;
    words_buf_.clear();
    WordSplitter splitter(&words_buf_);
    const bool track = words != nullptr;

    for (int32_t ch = in_.Peek(); ch != kEof; ch = in_.Peek()) {
      if (stop != kEof && ch == stop) {
        in_.Next();
        return Finish(track, &splitter, words);
      }
      bool quote = !options_.skip_process_quotes && (ch == '\'' || ch == '"');
      if (ch == '$' || ch == '<' || quote) {
        size_t before = result->size();
        TRY(ch == '$'    ? Dollar(result)
            : ch == '<'  ? Heredoc(result)
            : ch == '\'' ? SingleQuote(result)
                         : DoubleQuote(result));
        if (track) {
          std::string_view added = std::string_view(*result).substr(before);
          ch == '$' ? splitter.AddString(added) : splitter.AddRawString(added);
        }
        continue;
      }
      ch = in_.Next();
      if (ch == escape_) {
        int32_t escaped = in_.Peek();
        if (raw_escapes_) {
          if (track) splitter.AddRawChar(ch);
          Put(result, ch);
        } else if (options_.keep_glob_escapes &&
                   (escaped == '*' || escaped == '?' || escaped == '[' || escaped == '\\')) {
          // The matcher's escape is always '\\', whatever the Dockerfile's.
          if (track) splitter.AddRawChar('\\');
          Put(result, '\\');
        }
        ch = in_.Next();
        if (ch == kEof) break;
        if (track) splitter.AddRawChar(ch);
      } else if (track) {
        splitter.AddChar(ch);
      }
      Put(result, ch);
    }
    if (stop != kEof) {
      return Status::InvalidArgument("unexpected end of statement while looking for matching " +
                                     RuneString(stop));
    }
    return Finish(track, &splitter, words);
  }

  Status Finish(bool track, WordSplitter* splitter, std::vector<std::string>* words) {
    if (track) {
      *words = splitter->Finish();
    } else {
      words_buf_.clear();
    }
    return Status::OK();
  }

  Status SingleQuote(std::string* out) {
    int32_t ch = in_.Next();
    if (options_.raw_quotes) Put(out, ch);
    for (;;) {
      ch = in_.Next();
      if (ch == kEof) {
        return Status::InvalidArgument(
            "unexpected end of statement while looking for matching single-quote");
      }
      if (ch == '\'') {
        if (options_.raw_quotes) Put(out, ch);
        return Status::OK();
      }
      Put(out, ch);
    }
  }

  Status DoubleQuote(std::string* out) {
    int32_t ch = in_.Next();
    if (options_.raw_quotes) Put(out, ch);
    for (;;) {
      int32_t next = in_.Peek();
      if (next == kEof) {
        return Status::InvalidArgument(
            "unexpected end of statement while looking for matching double-quote");
      }
      if (next == '"') {
        ch = in_.Next();
        if (options_.raw_quotes) Put(out, ch);
        return Status::OK();
      }
      if (next == '$') {
        TRY(Dollar(out));
        continue;
      }
      ch = in_.Next();
      if (ch == escape_) {
        if (raw_escapes_) Put(out, ch);
        next = in_.Peek();
        if (next == kEof) continue;  // a trailing escape is dropped
        if (next == '"' || next == '$' || next == escape_) ch = in_.Next();
      }
      Put(out, ch);
    }
  }

  // processPossibleHeredoc: "<<" keeps the blanks after it in the same word.
  Status Heredoc(std::string* out) {
    in_.Next();
    out->push_back('<');
    if (in_.Peek() != '<') return Status::OK();
    out->push_back(static_cast<char>(in_.Next()));
    for (int32_t ch = in_.Peek(); ch == '\t' || ch == '\r' || ch == ' '; ch = in_.Peek()) {
      Put(out, in_.Next());
    }
    return Status::OK();
  }

  Status Dollar(std::string* out) {
    in_.Next();
    if (in_.Peek() != '{') {
      std::string_view name = Name();
      if (name.empty()) {
        out->push_back('$');
        return Status::OK();
      }
      const std::string* value = Lookup(name);
      if (value != nullptr) {
        out->append(*value);
      } else if (options_.skip_unset_env) {
        out->push_back('$');
        out->append(name);
      }
      return Status::OK();
    }
    in_.Next();
    int32_t next = in_.Peek();
    if (next == kEof) return Status::InvalidArgument("syntax error: missing '}'");
    if (next == '{' || next == '}' || next == ':') {
      return Status::InvalidArgument("syntax error: bad substitution");
    }
    std::string_view name = Name();
    int32_t ch = in_.Next();
    std::string modifier = RuneString(ch);
    bool null_is_unset = false;
    switch (ch) {
      case '}': {
        const std::string* value = Lookup(name);
        if (value != nullptr) {
          out->append(*value);
        } else if (options_.skip_unset_env) {
          out->append("${").append(name).append("}");
        }
        return Status::OK();
      }
      case '/':
        return Replace(name, out);
      case ':':
        null_is_unset = true;
        ch = in_.Next();
        modifier += RuneString(ch);
        [[fallthrough]];
      case '+': case '-': case '?': case '#': case '%':
        return Modify(name, ch, modifier, null_is_unset, out);
      default:
        return Unsupported(modifier);
    }
  }

  // ${name<modifier>word} for - + ? # % (and the :-prefixed forms).
  Status Modify(std::string_view name, int32_t op, const std::string& modifier,
                bool null_is_unset, std::string* out) {
    bool pattern = op == '#' || op == '%';
    if (null_is_unset && pattern) return Unsupported(modifier);
    std::string word;
    Status status = StopOn('}', pattern, &word, nullptr);
    if (!status.ok()) {
      if (in_.Peek() == kEof) return Status::InvalidArgument("syntax error: missing '}'");
      return status;
    }
    const std::string* value = Lookup(name);
    if (value == nullptr && options_.skip_unset_env) {
      out->append("${").append(name).append(modifier).append(word).append("}");
      return Status::OK();
    }
    const bool set = value != nullptr;
    const bool empty = !set || value->empty();
    switch (op) {
      case '-':
        out->append(!set || (null_is_unset && empty) ? word : *value);
        return Status::OK();
      case '+':
        if (set && !(null_is_unset && empty)) out->append(word);
        return Status::OK();
      case '?':
        if (!set) {
          return Status::InvalidArgument(std::string(name) + ": " +
                                         (word.empty() ? "is not allowed to be unset" : word));
        }
        if (null_is_unset && empty) {
          return Status::InvalidArgument(std::string(name) + ": " +
                                         (word.empty() ? "is not allowed to be empty" : word));
        }
        out->append(*value);
        return Status::OK();
      case '#':
      case '%': {
        bool greedy = !word.empty() && word[0] == static_cast<char>(op);
        std::string_view pat = std::string_view(word).substr(greedy ? 1 : 0);
        std::string_view v = set ? std::string_view(*value) : std::string_view();
        ASSIGN_OR_RETURN(std::string trimmed, op == '%' ? TrimShellPatternSuffix(pat, v, greedy)
                                                        : TrimShellPatternPrefix(pat, v, greedy));
        out->append(trimmed);
        return Status::OK();
      }
      default:
        return Unsupported(modifier);
    }
  }

  // ${name/pattern/replacement} and ${name//pattern/replacement}.
  Status Replace(std::string_view name, std::string* out) {
    bool all = in_.Peek() == '/';
    if (all) in_.Next();
    std::string pattern;
    Status status = StopOn('/', true, &pattern, nullptr);
    if (!status.ok()) {
      if (in_.Peek() == kEof) return Status::InvalidArgument("syntax error: missing '/' in ${}");
      return status;
    }
    std::string replacement;
    status = StopOn('}', true, &replacement, nullptr);
    if (!status.ok()) {
      if (in_.Peek() == kEof) return Status::InvalidArgument("syntax error: missing '}'");
      return status;
    }
    const std::string* value = Lookup(name);
    if (value == nullptr && options_.skip_unset_env) {
      out->append("${").append(name).append("/").append(pattern).append("/");
      out->append(replacement).append("}");
      return Status::OK();
    }
    std::string_view v = value != nullptr ? std::string_view(*value) : std::string_view();
    ASSIGN_OR_RETURN(std::string replaced, ReplaceShellPattern(pattern, v, replacement, all));
    out->append(replaced);
    return Status::OK();
  }

  // processName: a run of letters, digits and '_'; a run of digits when it
  // starts with one (positional); or one special parameter character.
  std::string_view Name() {
    size_t start = in_.pos();
    for (int32_t ch = in_.Peek(); ch != kEof; ch = in_.Peek()) {
      auto rune = static_cast<char32_t>(ch);
      if (in_.pos() == start && IsGoDigit(rune)) {
        while (in_.Peek() != kEof && IsGoDigit(static_cast<char32_t>(in_.Peek()))) in_.Next();
        break;
      }
      if (in_.pos() == start && IsSpecialParam(ch)) {
        in_.Next();
        break;
      }
      if (!IsGoLetter(rune) && !IsGoDigit(rune) && ch != '_') break;
      in_.Next();
    }
    return in_.Slice(start);
  }

  const std::string* Lookup(std::string_view name) {
    auto it = env_.find(name);
    const std::string* value = it == env_.end() ? nullptr : &it->second;
    std::vector<std::string>* seen = value != nullptr ? matched_ : unmatched_;
    if (seen != nullptr) {
      bool known = false;
      for (const std::string& s : *seen) known = known || s == name;
      if (!known) seen->emplace_back(name);
    }
    return value;
  }

  const int32_t escape_;
  const ShellLexer::Options& options_;
  const std::string_view word_;
  RuneReader in_;
  const ShellEnv& env_;
  const bool split_;
  bool raw_escapes_;
  std::string words_buf_;
  std::vector<std::string>* matched_;
  std::vector<std::string>* unmatched_;
};

// True when expansion cannot change the word: nothing the lexer treats
// specially and nothing its UTF-8 reading would rewrite.
bool IsPlain(std::string_view word, char escape, const ShellLexer::Options& options) {
  for (char c : word) {
    if (c == '$' || c == escape || static_cast<unsigned char>(c) >= 0x80) return false;
    if ((c == '\'' || c == '"') && !options.skip_process_quotes) return false;
  }
  return true;
}

}  // namespace

Result<std::string> ShellLexer::ProcessWord(std::string_view word, const ShellEnv& env) const {
  return ProcessWordWithMatches(word, env, nullptr, nullptr);
}

Result<std::string> ShellLexer::ProcessWordWithMatches(std::string_view word, const ShellEnv& env,
                                                       std::vector<std::string>* matched) const {
  return ProcessWordWithMatches(word, env, matched, nullptr);
}

Result<std::string> ShellLexer::ProcessWordWithMatches(std::string_view word, const ShellEnv& env,
                                                       std::vector<std::string>* matched,
                                                       std::vector<std::string>* unmatched) const {
  if (IsPlain(word, escape_, options_)) return std::string(word);
  std::string result;
  result.reserve(word.size());
  Expansion expansion(static_cast<unsigned char>(escape_), options_, word, env,
                      /*split=*/false, matched, unmatched);
  TRY(expansion.Run(&result, nullptr));
  return result;
}

Result<std::vector<std::string>> ShellLexer::ProcessWords(std::string_view word,
                                                          const ShellEnv& env) const {
  std::string result;
  std::vector<std::string> words;
  Expansion expansion(static_cast<unsigned char>(escape_), options_, word, env,
                      /*split=*/true, nullptr, nullptr);
  TRY(expansion.Run(&result, &words));
  return words;
}

}  // namespace strata::dockerfile
