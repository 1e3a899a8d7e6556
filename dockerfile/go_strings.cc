#include "dockerfile/go_strings.h"

namespace strata::dockerfile::go {
namespace {

bool InRange(char32_t r, char32_t lo, char32_t hi) { return r >= lo && r <= hi; }
bool IsCont(unsigned char b) { return b >= 0x80 && b <= 0xBF; }


// strconv.IsPrint for r >= 0x80 (approximate outside Latin-1, see header).
bool IsPrintNonAscii(char32_t r) {
  if (r <= 0xA0 || r == 0xAD) return false;
  if (InRange(r, 0x600, 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F ||
      InRange(r, 0x890, 0x891) || r == 0x8E2 || r == 0x180E || r == 0x1680) {
    return false;
  }
  if (InRange(r, 0x2000, 0x200F) || InRange(r, 0x2028, 0x202F) || InRange(r, 0x205F, 0x206F) ||
      r == 0x3000) {
    return false;
  }
  if (InRange(r, 0xD800, 0xF8FF) || r == 0xFEFF || InRange(r, 0xFFF0, 0xFFFB) || r >= 0xFFFE) {
    if (r < 0x10000) return false;
  }
  if (r == 0x110BD || r == 0x110CD || InRange(r, 0x13430, 0x1343F) || InRange(r, 0x1BCA0, 0x1BCA3) ||
      InRange(r, 0x1D173, 0x1D17A)) {
    return false;
  }
  if (InRange(r, 0x323B0, 0xE00FF) || r >= 0xE01F0) return false;
  return true;
}

char32_t ToLowerRune(char32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  if (InRange(r, 0xC0, 0xDE) && r != 0xD7) return r + 0x20;
  if (r == 0x130) return 'i';
  if (r == 0x178) return 0xFF;
  if (InRange(r, 0x100, 0x137) || InRange(r, 0x14A, 0x177)) return (r % 2 == 0) ? r + 1 : r;
  if (InRange(r, 0x139, 0x148) || InRange(r, 0x179, 0x17E)) return (r % 2 == 1) ? r + 1 : r;
  if (InRange(r, 0x391, 0x3A9) && r != 0x3A2) return r + 0x20;
  if (InRange(r, 0x400, 0x40F)) return r + 0x50;
  if (InRange(r, 0x410, 0x42F)) return r + 0x20;
  if (r == 0x212A) return 'k';
  if (r == 0x212B) return 0xE5;
  return r;
}

void AppendHex(std::string* out, uint32_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 0xF]);
}

}  // namespace

std::string_view TrimLeftSpace(std::string_view s) {
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    if (!IsSpace(d.rune)) break;
    s.remove_prefix(d.width);
  }
  return s;
}

std::string_view TrimSpace(std::string_view s) {
  s = TrimLeftSpace(s);
  // Trailing: step back over whole runes. ASCII spaces are single bytes; the
  // multi-byte spaces end in a continuation byte, so decode from the lead byte.
  while (!s.empty()) {
    size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 && IsCont(static_cast<unsigned char>(s[start]))) --start;
    DecodedRune d = DecodeRune(s.substr(start));
    if (start + d.width != s.size()) {
      // The tail is not one valid rune: its last byte decodes as U+FFFD, not a space.
      break;
    }
    if (!IsSpace(d.rune)) break;
    s.remove_suffix(d.width);
  }
  return s;
}

std::string ToLower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    for (char c : s) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    return out;
  }
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    AppendRune(&out, ToLowerRune(d.rune));
    s.remove_prefix(d.width);
  }
  return out;
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  while (!s.empty()) {
    const auto b = static_cast<unsigned char>(s[0]);
    if (b < 0x80) {
      s.remove_prefix(1);
      switch (b) {
        case '"': out->append("\\\""); continue;
        case '\\': out->append("\\\\"); continue;
        case '\a': out->append("\\a"); continue;
        case '\b': out->append("\\b"); continue;
        case '\f': out->append("\\f"); continue;
        case '\n': out->append("\\n"); continue;
        case '\r': out->append("\\r"); continue;
        case '\t': out->append("\\t"); continue;
        case '\v': out->append("\\v"); continue;
        default: break;
      }
      if (b < ' ' || b == 0x7F) {
        out->append("\\x");
        AppendHex(out, b, 2);
      } else {
        out->push_back(static_cast<char>(b));
      }
      continue;
    }
    DecodedRune d = DecodeRune(s);
    if (d.rune == kRuneError && d.width == 1) {
      out->append("\\x");
      AppendHex(out, b, 2);
    } else if (IsPrintNonAscii(d.rune)) {
      out->append(s.substr(0, d.width));
    } else if (d.rune < 0x10000) {
      out->append("\\u");
      AppendHex(out, d.rune, 4);
    } else {
      out->append("\\U");
      AppendHex(out, d.rune, 8);
    }
    s.remove_prefix(d.width);
  }
  out->push_back('"');
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendQuoted(&out, s);
  return out;
}

}  // namespace strata::dockerfile::go
