#include "cli/format/go_json.h"

#include "cli/format/go_print.h"
#include "common/utf8.h"

namespace strata::format {
namespace {

void AppendString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0, size; i < s.size(); i += size) {
    DecodedRune d = DecodeRune(s.substr(i));
    char32_t r = d.rune;
    size = d.width;
    switch (r) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case 0x2028:
        *out += "\\u2028";
        break;
      case 0x2029:
        *out += "\\u2029";
        break;
      default:
        if (r < 0x20) {
          *out += "\\u00";
          out->push_back(kHex[r >> 4]);
          out->push_back(kHex[r & 0xF]);
        } else if (r == kRuneError && size == 1) {
          *out += "\\ufffd";
        } else {
          out->append(s.substr(i, size));
        }
    }
  }
  out->push_back('"');
}

void Encode(std::string* out, const Json& json) {
  switch (json.type()) {
    case Json::value_t::string:
      AppendString(out, json.get_ref<const std::string&>());
      break;
    case Json::value_t::number_integer:
      *out += std::to_string(json.get<int64_t>());
      break;
    case Json::value_t::number_unsigned:
      *out += std::to_string(json.get<uint64_t>());
      break;
    case Json::value_t::number_float:
      *out += FormatJsonFloat(json.get<double>());
      break;
    case Json::value_t::boolean:
      *out += json.get<bool>() ? "true" : "false";
      break;
    case Json::value_t::array: {
      out->push_back('[');
      for (size_t i = 0; i < json.size(); ++i) {
        if (i > 0) out->push_back(',');
        Encode(out, json[i]);
      }
      out->push_back(']');
      break;
    }
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (auto it = json.begin(); it != json.end(); ++it) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(out, it.key());
        out->push_back(':');
        Encode(out, it.value());
      }
      out->push_back('}');
      break;
    }
    default:
      *out += "null";
  }
}

}  // namespace

std::string EncodeGoJson(const Json& json) {
  std::string out;
  Encode(&out, json);
  return out;
}

}  // namespace strata::format
