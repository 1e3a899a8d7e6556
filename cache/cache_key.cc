#include "cache/cache_key.h"

#include <algorithm>
#include <cstdio>

namespace strata::cache {

namespace {

constexpr char kKeyTag[] = "strata-cache-v1";

void AppendNetstring(std::string* out, std::string_view s) {
  out->append(std::to_string(s.size()));
  out->push_back(':');
  out->append(s);
}

// A double-quoted, C-escaped rendering: printable and unambiguous.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

}  // namespace

CacheKeyBuilder::CacheKeyBuilder(Digest parent_key, std::string kind)
    : parent_(std::move(parent_key)), kind_(std::move(kind)) {}

CacheKeyBuilder& CacheKeyBuilder::String(std::string_view name, std::string_view value) {
  fields_[std::string(name)] = Field{'s', {std::string(value)}};
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::Bool(std::string_view name, bool value) {
  fields_[std::string(name)] = Field{'b', {value ? "true" : "false"}};
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::List(std::string_view name, std::vector<std::string> values) {
  fields_[std::string(name)] = Field{'l', std::move(values)};
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::Map(
    std::string_view name, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::map<std::string, std::string> sorted;
  for (const auto& [k, v] : pairs) sorted[k] = v;
  Field field{'m', {}};
  for (const auto& [k, v] : sorted) {
    field.items.push_back(k);
    field.items.push_back(v);
  }
  fields_[std::string(name)] = std::move(field);
  return *this;
}

CacheKeyBuilder& CacheKeyBuilder::Inputs(Digest inputs) {
  inputs_ = std::move(inputs);
  return *this;
}

std::string CacheKeyBuilder::PreimageBytes() const {
  std::string args;
  for (const auto& [name, field] : fields_) {
    args.push_back(field.type);
    AppendNetstring(&args, name);
    if (field.type == 'l' || field.type == 'm') {
      args.append(std::to_string(field.type == 'm' ? field.items.size() / 2 : field.items.size()));
      args.push_back(':');
    }
    for (const std::string& item : field.items) AppendNetstring(&args, item);
  }
  std::string out(kKeyTag, sizeof kKeyTag);  // the tag and its NUL
  out += parent_.ToString();
  out.push_back('\0');
  out += kind_;
  out.push_back('\0');
  out += args;
  out.push_back('\0');
  out += inputs_.ToString();
  return out;
}

Digest CacheKeyBuilder::Build() const { return Digest::Sha256Of(PreimageBytes()); }

std::string CacheKeyBuilder::Preimage() const {
  std::string out = std::string(kKeyTag) + "\n";
  out += "parent: " + (parent_.empty() ? std::string("(none)") : parent_.ToString()) + "\n";
  out += "kind: " + kind_ + "\n";
  for (const auto& [name, field] : fields_) {
    out += "arg " + name + " = ";
    switch (field.type) {
      case 's':
        out += Quote(field.items[0]);
        break;
      case 'b':
        out += field.items[0];
        break;
      case 'l': {
        out += "[";
        for (size_t i = 0; i < field.items.size(); ++i) {
          out += (i ? ", " : "") + Quote(field.items[i]);
        }
        out += "]";
        break;
      }
      case 'm': {
        out += "{";
        for (size_t i = 0; i + 1 < field.items.size(); i += 2) {
          out += (i ? ", " : "") + Quote(field.items[i]) + ": " + Quote(field.items[i + 1]);
        }
        out += "}";
        break;
      }
    }
    out += "\n";
  }
  out += "inputs: " + (inputs_.empty() ? std::string("(none)") : inputs_.ToString()) + "\n";
  out += "key: " + Build().ToString() + "\n";
  return out;
}

}  // namespace strata::cache
