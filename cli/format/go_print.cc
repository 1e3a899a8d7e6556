#include "cli/format/go_print.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace strata::format {
namespace {

// Shortest round-trip digits of |v| (no dot) and the decimal exponent of the
// first digit: 1234.5 -> {"12345", 3}. REQUIRES: v finite and non-zero.
struct Digits {
  std::string digits;
  int exponent;
};

Digits ShortestDigits(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  std::string_view s(buf, res.ptr - buf);
  size_t e = s.find('e');
  Digits d;
  for (char c : s.substr(0, e)) {
    if (c != '.') d.digits += c;
  }
  d.exponent = std::atoi(std::string(s.substr(e + 1)).c_str());
  return d;
}

std::string ExponentForm(const Digits& d, bool pad_exponent) {
  std::string out(1, d.digits[0]);
  if (d.digits.size() > 1) out += "." + d.digits.substr(1);
  out += d.exponent < 0 ? "e-" : "e+";
  std::string exp = std::to_string(std::abs(d.exponent));
  if (pad_exponent && exp.size() < 2) exp = "0" + exp;
  return out + exp;
}

std::string DecimalForm(const Digits& d) {
  int point = d.exponent + 1;  // digits before the decimal point
  if (point <= 0) return "0." + std::string(-point, '0') + d.digits;
  if (static_cast<size_t>(point) >= d.digits.size()) {
    return d.digits + std::string(point - d.digits.size(), '0');
  }
  return d.digits.substr(0, point) + "." + d.digits.substr(point);
}

std::string SpecialFloat(double v, bool* handled) {
  *handled = true;
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  *handled = false;
  return "";
}

}  // namespace

std::string FormatGoFloat(double v) {
  bool handled;
  std::string special = SpecialFloat(v, &handled);
  if (handled) return special;
  Digits d = ShortestDigits(v);
  // strconv.FormatFloat(v, 'g', -1, 64): %e when exp < -4 || exp >= 6.
  std::string body = (d.exponent < -4 || d.exponent >= 6) ? ExponentForm(d, /*pad_exponent=*/true)
                                                          : DecimalForm(d);
  return (v < 0 ? "-" : "") + body;
}

std::string FormatJsonFloat(double v) {
  bool handled;
  std::string special = SpecialFloat(v, &handled);
  if (handled) return special;
  double a = std::fabs(v);
  Digits d = ShortestDigits(v);
  std::string body =
      (a < 1e-6 || a >= 1e21) ? ExponentForm(d, /*pad_exponent=*/false) : DecimalForm(d);
  return (v < 0 ? "-" : "") + body;
}

std::vector<std::string> SortedKeys(const Json& object) {
  std::vector<std::string> keys;
  keys.reserve(object.size());
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string FormatGoValue(const Json& json) {
  switch (json.type()) {
    case Json::value_t::string:
      return json.get<std::string>();
    case Json::value_t::number_integer:
      return std::to_string(json.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(json.get<uint64_t>());
    case Json::value_t::number_float:
      return FormatGoFloat(json.get<double>());
    case Json::value_t::boolean:
      return json.get<bool>() ? "true" : "false";
    case Json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < json.size(); ++i) {
        if (i > 0) out += ' ';
        out += FormatGoValue(json[i]);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const std::string& key : SortedKeys(json)) {
        if (!first) out += ' ';
        first = false;
        out += key + ":" + FormatGoValue(json.find(key).value());
      }
      return out + "]";
    }
    default:
      return "<nil>";
  }
}

std::string FormatTemplateValue(const Value& value) {
  if (value.missing()) return "<no value>";
  return FormatGoValue(value.json());
}

}  // namespace strata::format
