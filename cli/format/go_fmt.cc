#include "cli/format/go_fmt.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "cli/format/go_print.h"
#include "common/utf8.h"

namespace strata::format {
namespace {

struct Spec {
  bool minus = false;
  bool plus = false;
  bool sharp = false;
  bool space = false;
  bool zero = false;
  int width = -1;
  int precision = -1;
  char verb = 'v';
};

bool IsPrintable(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA0 || r == 0xAD || r == 0x2028 || r == 0x2029) return false;
  if (r >= 0xD800 && r <= 0xDFFF) return false;
  return r != 0xFFFE && r != 0xFFFF && r <= 0x10FFFF;
}

std::string Hex(uint64_t v, int digits, bool upper = false) {
  static constexpr char kLower[] = "0123456789abcdef";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  std::string out(digits, '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[i] = (upper ? kUpper : kLower)[v & 0xF];
  return out;
}

void AppendQuotedRune(std::string* out, char32_t r, size_t size, std::string_view raw, char quote) {
  if (r == kRuneError && size == 1) {
    *out += "\\x" + Hex(static_cast<unsigned char>(raw[0]), 2);
    return;
  }
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  if (IsPrintable(r)) {
    out->append(raw.substr(0, size));
    return;
  }
  switch (r) {
    case '\a':
      *out += "\\a";
      return;
    case '\b':
      *out += "\\b";
      return;
    case '\f':
      *out += "\\f";
      return;
    case '\n':
      *out += "\\n";
      return;
    case '\r':
      *out += "\\r";
      return;
    case '\t':
      *out += "\\t";
      return;
    case '\v':
      *out += "\\v";
      return;
  }
  if (r < 0x20 || r == 0x7F) {
    *out += "\\x" + Hex(r, 2);
  } else if (r < 0x10000) {
    *out += "\\u" + Hex(r, 4);
  } else {
    *out += "\\U" + Hex(r, 8);
  }
}

// Pads `s` to spec.width runes: spaces on the right for '-', zeros on the
// left for '0' (Go pads strings with zeros too), spaces on the left otherwise.
std::string Pad(std::string s, const Spec& spec) {
  if (spec.width < 0) return s;
  size_t n = RuneCount(s);
  if (n >= static_cast<size_t>(spec.width)) return s;
  std::string fill(spec.width - n, spec.zero && !spec.minus ? '0' : ' ');
  return spec.minus ? s + fill : fill + s;
}

// Pads a number, putting zero padding after its sign.
std::string PadNumber(std::string s, const Spec& spec) {
  if (!spec.zero || spec.minus || spec.width < 0 || s.empty()) {
    Spec spaces = spec;
    spaces.zero = false;
    return Pad(std::move(s), spaces);
  }
  size_t sign = (s[0] == '-' || s[0] == '+' || s[0] == ' ') ? 1 : 0;
  if (s.size() >= static_cast<size_t>(spec.width)) return s;
  return s.substr(0, sign) + std::string(spec.width - s.size(), '0') + s.substr(sign);
}

std::string BadVerb(const Json& arg, char verb) {
  std::string out = "%!";
  out.push_back(verb);
  if (arg.is_null()) return out + "(<nil>)";
  return out + "(" + GoTypeName(arg) + "=" + FormatGoValue(arg) + ")";
}

std::string FormatInteger(const Json& arg, const Spec& spec) {
  bool negative = arg.is_number_integer() && arg.get<int64_t>() < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(arg.get<int64_t>()) : arg.get<uint64_t>();
  std::string digits;
  std::string prefix;
  int base = 10;
  switch (spec.verb) {
    case 'v':
    case 'd':
      break;
    case 'x':
    case 'X':
      base = 16;
      if (spec.sharp) prefix = spec.verb == 'x' ? "0x" : "0X";
      break;
    case 'o':
      base = 8;
      if (spec.sharp) prefix = "0";
      break;
    case 'b':
      base = 2;
      break;
    case 'c': {
      std::string s;
      AppendRune(&s, static_cast<char32_t>(mag));
      return Pad(s, spec);
    }
    case 'q': {
      std::string s = "'";
      std::string raw;
      AppendRune(&raw, static_cast<char32_t>(mag));
      DecodedRune d = DecodeRune(raw);
      AppendQuotedRune(&s, d.rune, d.width, raw, '\'');
      return Pad(s + "'", spec);
    }
    case 'U': {
      std::string h = Hex(mag, 16, /*upper=*/true);
      while (h.size() > 4 && h[0] == '0') h.erase(0, 1);
      return Pad("U+" + h, spec);
    }
    default:
      return BadVerb(arg, spec.verb);
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  do {
    char c = kDigits[mag % base];
    if (spec.verb == 'X' && c >= 'a') c = static_cast<char>(c - 'a' + 'A');
    digits.insert(digits.begin(), c);
    mag /= base;
  } while (mag != 0);
  if (spec.precision >= 0 && digits.size() < static_cast<size_t>(spec.precision)) {
    digits.insert(0, spec.precision - digits.size(), '0');
  }
  std::string sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  Spec pad = spec;
  if (spec.precision >= 0) pad.zero = false;  // Go: precision disables zero padding
  return PadNumber(sign + prefix + digits, pad);
}

std::string FormatFloat(double v, const Spec& spec) {
  std::string s;
  char verb = spec.verb;
  if ((verb == 'v' || verb == 'g' || verb == 'G') && spec.precision < 0) {
    s = FormatGoFloat(v);
    if (verb == 'G') {
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  } else if (std::isnan(v) || std::isinf(v)) {
    s = FormatGoFloat(v);
  } else {
    if (verb == 'v') verb = 'g';
    if (verb == 'F') verb = 'f';
    char fmt[16];
    std::snprintf(fmt, sizeof fmt, "%%.%d%c", spec.precision < 0 ? 6 : spec.precision, verb);
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, v);
    s = buf;
  }
  if (s[0] != '-' && s[0] != '+') {
    if (spec.plus) {
      s = "+" + s;
    } else if (spec.space) {
      s = " " + s;
    }
  } else if (s[0] == '+' && !spec.plus) {
    s = s.substr(1);  // "+Inf" only with the plus flag, as Go prints
  }
  return PadNumber(s, spec);
}

std::string FormatString(const std::string& s, const Spec& spec) {
  switch (spec.verb) {
    case 'v':
    case 's': {
      if (spec.precision < 0) return Pad(s, spec);
      size_t end = 0;
      for (int n = 0; end < s.size() && n < spec.precision; ++n) {
        end += DecodeRune(std::string_view(s).substr(end)).width;
      }
      return Pad(s.substr(0, end), spec);
    }
    case 'q':
      return Pad(GoQuote(s), spec);
    case 'x':
    case 'X': {
      std::string out;
      for (size_t i = 0; i < s.size(); ++i) {
        if (spec.space && i > 0) out += ' ';
        if (spec.sharp && (spec.space || i == 0)) out += spec.verb == 'x' ? "0x" : "0X";
        out += Hex(static_cast<unsigned char>(s[i]), 2, spec.verb == 'X');
      }
      return Pad(out, spec);
    }
    default:
      return BadVerb(Json(s), spec.verb);
  }
}

std::string FormatArg(const Json& arg, const Spec& spec) {
  switch (arg.type()) {
    case Json::value_t::string:
      return FormatString(arg.get_ref<const std::string&>(), spec);
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return FormatInteger(arg, spec);
    case Json::value_t::number_float: {
      static constexpr std::string_view kFloatVerbs = "veEfFgG";
      if (kFloatVerbs.find(spec.verb) == std::string_view::npos) return BadVerb(arg, spec.verb);
      return FormatFloat(arg.get<double>(), spec);
    }
    case Json::value_t::boolean:
      if (spec.verb != 'v' && spec.verb != 't') return BadVerb(arg, spec.verb);
      return Pad(arg.get<bool>() ? "true" : "false", spec);
    case Json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < arg.size(); ++i) {
        if (i > 0) out += ' ';
        out += FormatArg(arg[i], spec);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const std::string& key : SortedKeys(arg)) {
        if (!first) out += ' ';
        first = false;
        out += FormatString(key, spec) + ":" + FormatArg(arg.find(key).value(), spec);
      }
      return out + "]";
    }
    default:
      if (spec.verb != 'v') return BadVerb(arg, spec.verb);
      return Pad("<nil>", spec);
  }
}

// Reads a width or precision at format[*i]: digits, or '*' taking an int
// operand. Returns -1 when absent; sets *bad when '*' found no int operand.
int ReadNumber(std::string_view format, size_t* i, const std::vector<Json>& args, size_t* next_arg,
               bool* bad) {
  if (*i < format.size() && format[*i] == '*') {
    ++*i;
    if (*next_arg < args.size() && args[*next_arg].is_number_integer()) {
      int64_t n = args[(*next_arg)++].get<int64_t>();
      return static_cast<int>(std::clamp<int64_t>(n, -1000000, 1000000));
    }
    if (*next_arg < args.size()) ++*next_arg;
    *bad = true;
    return -1;
  }
  int n = -1;
  while (*i < format.size() && format[*i] >= '0' && format[*i] <= '9') {
    n = (n < 0 ? 0 : n * 10) + (format[*i] - '0');
    if (n > 1000000) n = 1000000;
    ++*i;
  }
  return n;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    DecodedRune d = DecodeRune(s.substr(i));
    AppendQuotedRune(&out, d.rune, d.width, s.substr(i), '"');
    i += d.width;
  }
  return out + "\"";
}

std::string GoSprintf(std::string_view format, const std::vector<Json>& args) {
  std::string out;
  size_t next_arg = 0;
  size_t i = 0;
  while (i < format.size()) {
    size_t pct = format.find('%', i);
    if (pct == std::string_view::npos) {
      out.append(format.substr(i));
      break;
    }
    out.append(format.substr(i, pct - i));
    i = pct + 1;
    Spec spec;
    for (; i < format.size(); ++i) {
      char c = format[i];
      if (c == '-') {
        spec.minus = true;
      } else if (c == '+') {
        spec.plus = true;
      } else if (c == '#') {
        spec.sharp = true;
      } else if (c == ' ') {
        spec.space = true;
      } else if (c == '0') {
        spec.zero = true;
      } else {
        break;
      }
    }
    bool bad_width = false;
    bool bad_precision = false;
    spec.width = ReadNumber(format, &i, args, &next_arg, &bad_width);
    if (spec.width < -1) {  // "*" with a negative operand means left-justify
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      spec.precision = ReadNumber(format, &i, args, &next_arg, &bad_precision);
      if (spec.precision < 0) spec.precision = 0;
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    DecodedRune decoded = DecodeRune(format.substr(i));
    char32_t verb = decoded.rune;
    i += decoded.width;
    if (bad_width) out += "%!(BADWIDTH)";
    if (bad_precision) out += "%!(BADPREC)";
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (verb >= 0x80) {
      out += "%!";
      AppendRune(&out, verb);
      out += "(BADVERB)";
      continue;
    }
    spec.verb = static_cast<char>(verb);
    if (next_arg >= args.size()) {
      out += "%!";
      out += spec.verb;
      out += "(MISSING)";
      continue;
    }
    out += FormatArg(args[next_arg++], spec);
  }
  if (next_arg < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = next_arg; k < args.size(); ++k) {
      if (k > next_arg) out += ", ";
      out += args[k].is_null() ? "<nil>" : GoTypeName(args[k]) + "=" + FormatGoValue(args[k]);
    }
    out += ")";
  }
  return out;
}

std::string GoSprint(const std::vector<Json>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && !args[i].is_string() && !args[i - 1].is_string()) out += ' ';
    out += FormatGoValue(args[i]);
  }
  return out;
}

std::string GoSprintln(const std::vector<Json>& args) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += FormatGoValue(args[i]);
  }
  return out + "\n";
}

}  // namespace strata::format
