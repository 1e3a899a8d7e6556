#include "dockerfile/json_array.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include "dockerfile/go_strings.h"

namespace strata::dockerfile {
namespace {

constexpr int kMaxNestingDepth = 10000;  // encoding/json's maxNestingDepth

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A validator over Go's JSON grammar. Values at depth 1
// (the top array's elements) are recorded; nested values are only checked.
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  // Returns false on a syntax error (or an unmarshal error such as a number
  // out of range, which BuildKit also treats as "not JSON").
  bool ReadTopArray(std::vector<std::string>* strings, bool* all_strings) {
    SkipWs();
    if (!Consume('[')) return false;
    depth_ = 1;
    *all_strings = true;
    SkipWs();
    if (Consume(']')) return AtEndAfterWs();
    while (true) {
      SkipWs();
      if (Peek() == '"') {
        std::string value;
        if (!ReadString(&value)) return false;
        strings->push_back(std::move(value));
      } else {
        *all_strings = false;
        if (!ReadValue()) return false;
      }
      SkipWs();
      if (Consume(',')) continue;
      if (Consume(']')) return AtEndAfterWs();
      return false;
    }
  }

 private:
  int Peek() const { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_]) : -1; }
  bool Consume(char c) {
    if (Peek() != static_cast<unsigned char>(c)) return false;
    ++pos_;
    return true;
  }
  void SkipWs() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool AtEndAfterWs() {
    SkipWs();
    return pos_ == s_.size() && !bad_number_;
  }

  // Reads one value. Containers are walked with an explicit stack, not by
  // recursion: Go accepts 10,000 levels, and recursing that deep overflows
  // a small thread stack or a sanitizer build's larger frames.
  bool ReadValue() {
    std::vector<char> open;  // '[' or '{' of each container not yet closed
    for (;;) {
      // At the start of a value.
      int c = Peek();
      bool complete = true;
      if (c == '[' || c == '{') {
        if (++depth_ > kMaxNestingDepth) return false;
        ++pos_;
        SkipWs();
        if (Consume(c == '[' ? ']' : '}')) {
          --depth_;
        } else {
          open.push_back(static_cast<char>(c));
          if (c == '{' && !ReadKey()) return false;
          complete = false;
        }
      } else if (!ReadScalar()) {
        return false;
      }
      if (!complete) continue;
      // A value is complete: a ',' starts the next element, or closers end
      // the containers it completes.
      for (;;) {
        if (open.empty()) return true;
        SkipWs();
        if (Consume(',')) {
          SkipWs();
          if (open.back() == '{' && !ReadKey()) return false;
          break;
        }
        if (!Consume(open.back() == '[' ? ']' : '}')) return false;
        open.pop_back();
        --depth_;
      }
    }
  }

  // `"key"` `:` of an object member, with the whitespace after it.
  bool ReadKey() {
    if (Peek() != '"' || !ReadString(nullptr)) return false;
    SkipWs();
    if (!Consume(':')) return false;
    SkipWs();
    return true;
  }

  bool ReadScalar() {
    int c = Peek();
    if (c == '"') return ReadString(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
    for (std::string_view lit : {"true", "false", "null"}) {
      if (s_.substr(pos_, lit.size()) == lit) {
        pos_ += lit.size();
        return true;
      }
    }
    return false;
  }

  bool ReadDigits() {
    size_t start = pos_;
    while (Peek() >= '0' && Peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool ReadNumber() {
    size_t start = pos_;
    Consume('-');
    if (Consume('0')) {
      // no more integer digits
    } else if (Peek() >= '1' && Peek() <= '9') {
      ReadDigits();
    } else {
      return false;
    }
    if (Consume('.') && !ReadDigits()) return false;
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (!Consume('+')) Consume('-');
      if (!ReadDigits()) return false;
    }
    // Go decodes numbers into float64; one out of range fails Unmarshal.
    std::string text(s_.substr(start, pos_ - start));
    if (std::isinf(std::strtod(text.c_str(), nullptr))) bad_number_ = true;
    return true;
  }

  // Reads a string at pos_ (which is '"'); decodes into *out when non-null.
  bool ReadString(std::string* out) {
    ++pos_;
    while (true) {
      if (pos_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!ReadEscape(out)) return false;
        continue;
      }
      if (c < 0x80) {
        if (out) out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      go::DecodedRune d = go::DecodeRune(s_.substr(pos_));
      if (out) {
        if (d.rune == go::kRuneError && d.width == 1) {
          go::AppendRune(out, go::kRuneError);
        } else {
          out->append(s_.substr(pos_, d.width));
        }
      }
      pos_ += d.width;
    }
  }

  // Reads four hex digits after "\u" at `at`; -1 when they are not there.
  long ReadU4(size_t at) const {
    if (at + 6 > s_.size() || s_[at] != '\\' || s_[at + 1] != 'u') return -1;
    long v = 0;
    for (size_t i = at + 2; i < at + 6; ++i) {
      int h = HexValue(s_[i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  bool ReadEscape(std::string* out) {
    if (pos_ + 1 >= s_.size()) return false;
    char e = s_[pos_ + 1];
    char plain = 0;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': break;
      default: return false;
    }
    if (e != 'u') {
      if (out) out->push_back(plain);
      pos_ += 2;
      return true;
    }
    long r = ReadU4(pos_);
    if (r < 0) return false;
    pos_ += 6;
    if (r >= 0xD800 && r <= 0xDFFF) {
      long r2 = ReadU4(pos_);
      if (r < 0xDC00 && r2 >= 0xDC00 && r2 <= 0xDFFF) {
        pos_ += 6;
        r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
      } else {
        r = go::kRuneError;
      }
    }
    if (out) go::AppendRune(out, static_cast<char32_t>(r));
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool bad_number_ = false;
};

}  // namespace

JsonArrayKind ParseJsonStringArray(std::string_view text, std::vector<std::string>* out) {
  text = go::TrimLeftSpace(text);
  if (text.empty() || text[0] != '[') return JsonArrayKind::kNotJsonArray;
  std::vector<std::string> strings;
  bool all_strings = true;
  JsonReader reader(text);
  if (!reader.ReadTopArray(&strings, &all_strings)) return JsonArrayKind::kNotJsonArray;
  if (!all_strings) return JsonArrayKind::kNotStringArray;
  *out = std::move(strings);
  return JsonArrayKind::kStringArray;
}

}  // namespace strata::dockerfile
