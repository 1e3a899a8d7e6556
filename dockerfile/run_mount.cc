#include "dockerfile/run_mount.h"

#include <algorithm>
#include <vector>

#include "common/did_you_mean.h"
#include "common/numbers.h"

namespace strata::dockerfile {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Splits a CSV record: fields separated by ',', a field may be wrapped in
// double quotes with "" standing for a quote.
Result<std::vector<std::string>> SplitCsv(std::string_view s) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (quoted) return Status::InvalidArgument("failed to parse csv mounts: unterminated quote");
  fields.push_back(std::move(field));
  return fields;
}

Result<bool> ParseBool(std::string_view key, std::string_view v) {
  std::string l = Lower(v);
  if (l == "1" || l == "t" || l == "true") return true;
  if (l == "0" || l == "f" || l == "false") return false;
  return Status::InvalidArgument("invalid value for " + std::string(key) + ": " + std::string(v));
}

Result<uint32_t> ParseUint(std::string_view key, std::string_view v, int base) {
  if (v.empty())
    return Status::InvalidArgument("invalid value " + std::string(v) + " for " + std::string(key));
  uint64_t n = 0;
  for (char c : v) {
    int d = c - '0';
    if (d < 0 || d >= base || n > 0xFFFFFFFFULL) {
      return Status::InvalidArgument("invalid value " + std::string(v) + " for " +
                                     std::string(key));
    }
    n = n * base + d;
  }
  if (n > 0xFFFFFFFFULL)
    return Status::InvalidArgument("invalid value " + std::string(v) + " for " + std::string(key));
  return static_cast<uint32_t>(n);
}

// Sizes as docker's units.RAMInBytes: a number with an optional b/k/m/g/t/p
// suffix (optionally followed by "b"), binary multiples.
Result<int64_t> ParseRamSize(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && ((v[i] >= '0' && v[i] <= '9') || v[i] == '.')) ++i;
  if (i == 0) return Status::InvalidArgument("invalid value for size: " + std::string(v));
  std::optional<double> parsed = ParseDouble(v.substr(0, i));
  if (!parsed) return Status::InvalidArgument("invalid value for size: " + std::string(v));
  double number = *parsed;
  std::string unit = Lower(v.substr(i));
  if (unit.size() == 2 && unit[1] == 'b') unit.pop_back();
  if (unit.size() == 3 && unit.substr(1) == "ib") unit.resize(1);
  double mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k")
    mult = 1024.0;
  else if (unit == "m")
    mult = 1024.0 * 1024;
  else if (unit == "g")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "t")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "p")
    mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else
    return Status::InvalidArgument("invalid value for size: " + std::string(v));
  return static_cast<int64_t>(number * mult);
}

const std::vector<std::string>& AllKeys() {
  static const std::vector<std::string> keys = {
      "type",     "from",        "source", "target",    "readonly", "id",  "sharing",
      "required", "size",        "mode",   "uid",       "gid",      "src", "dst",
      "ro",       "destination", "rw",     "readwrite", "env"};
  return keys;
}

Status WithSuggestion(std::string message, std::string_view word,
                      const std::vector<std::string>& options) {
  std::string guess = ClosestMatch(word, options);
  if (!guess.empty()) message += " (did you mean " + guess + "?)";
  return Status::InvalidArgument(message);
}

}  // namespace

std::string_view MountTypeName(MountType type) {
  switch (type) {
    case MountType::kBind:
      return "bind";
    case MountType::kCache:
      return "cache";
    case MountType::kTmpfs:
      return "tmpfs";
    case MountType::kSecret:
      return "secret";
    case MountType::kSsh:
      return "ssh";
  }
  return "bind";
}

Result<RunMount> ParseRunMount(std::string_view spec, const WordExpander* expand) {
  ASSIGN_OR_RETURN(std::vector<std::string> fields, SplitCsv(spec));
  RunMount m;
  bool ro_auto = true;
  auto wrong_type = [&](const std::string& key) {
    return Status::InvalidArgument("unexpected key '" + key + "' for mount type '" +
                                   std::string(MountTypeName(m.type)) + "'");
  };
  for (const std::string& field : fields) {
    size_t eq = field.find('=');
    std::string key = Lower(field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro") {
        m.read_only = true;
        ro_auto = false;
      } else if (key == "readwrite" || key == "rw") {
        m.read_only = false;
        ro_auto = false;
      } else if (key == "required") {
        if (m.type != MountType::kSecret && m.type != MountType::kSsh) return wrong_type(key);
        m.required = true;
      } else {
        return Status::InvalidArgument("invalid field '" + field + "' must be a key=value pair");
      }
      continue;
    }
    std::string value = field.substr(eq + 1);
    if (key == "from") {
      size_t dollar = value.find('$');
      if (dollar != std::string::npos && dollar + 1 != value.size()) {
        return Status::InvalidArgument(
            "'from' doesn't support variable expansion, define alias stage instead");
      }
    } else if (expand != nullptr) {
      ASSIGN_OR_RETURN(value, (*expand)(value));
    } else if (value.find('$') != std::string::npos) {
      // Checked again once the planner has expanded it.
      if (std::find(AllKeys().begin(), AllKeys().end(), key) == AllKeys().end()) {
        return WithSuggestion("unexpected key '" + key + "' in '" + field + "'", key, AllKeys());
      }
      continue;
    }

    if (key == "type") {
      std::string t = Lower(value);
      if (t == "bind")
        m.type = MountType::kBind;
      else if (t == "cache")
        m.type = MountType::kCache;
      else if (t == "tmpfs")
        m.type = MountType::kTmpfs;
      else if (t == "secret")
        m.type = MountType::kSecret;
      else if (t == "ssh")
        m.type = MountType::kSsh;
      else {
        return WithSuggestion("unsupported mount type \"" + value + "\"", value,
                              {"bind", "cache", "tmpfs", "secret", "ssh"});
      }
    } else if (key == "from") {
      m.from = value;
    } else if (key == "source" || key == "src") {
      m.source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = value;
    } else if (key == "readonly" || key == "ro") {
      ASSIGN_OR_RETURN(m.read_only, ParseBool(key, value));
      ro_auto = false;
    } else if (key == "readwrite" || key == "rw") {
      ASSIGN_OR_RETURN(bool rw, ParseBool(key, value));
      m.read_only = !rw;
      ro_auto = false;
    } else if (key == "required") {
      if (m.type != MountType::kSecret && m.type != MountType::kSsh) return wrong_type(key);
      ASSIGN_OR_RETURN(m.required, ParseBool(key, value));
    } else if (key == "size") {
      if (m.type != MountType::kTmpfs) return wrong_type(key);
      ASSIGN_OR_RETURN(m.size_limit, ParseRamSize(value));
    } else if (key == "id") {
      m.id = value;
    } else if (key == "sharing") {
      std::string s = Lower(value);
      if (s != "shared" && s != "private" && s != "locked") {
        return WithSuggestion("unsupported sharing value \"" + value + "\"", value,
                              {"shared", "private", "locked"});
      }
      m.sharing = s;
    } else if (key == "mode") {
      ASSIGN_OR_RETURN(m.mode, ParseUint("mode", value, 8));
    } else if (key == "uid") {
      ASSIGN_OR_RETURN(m.uid, ParseUint("uid", value, 10));
    } else if (key == "gid") {
      ASSIGN_OR_RETURN(m.gid, ParseUint("gid", value, 10));
    } else if (key == "env") {
      m.env = value;
    } else {
      return WithSuggestion("unexpected key '" + key + "' in '" + field + "'", key, AllKeys());
    }
  }

  bool file_info_allowed =
      m.type == MountType::kSecret || m.type == MountType::kSsh || m.type == MountType::kCache;
  std::string type_name(MountTypeName(m.type));
  if (!file_info_allowed) {
    if (m.mode)
      return Status::InvalidArgument("mode not allowed for \"" + type_name + "\" type mounts");
    if (m.uid)
      return Status::InvalidArgument("uid not allowed for \"" + type_name + "\" type mounts");
    if (m.gid)
      return Status::InvalidArgument("gid not allowed for \"" + type_name + "\" type mounts");
  }
  if (ro_auto) m.read_only = !(m.type == MountType::kCache || m.type == MountType::kTmpfs);
  if (m.type == MountType::kSecret) {
    if (!m.from.empty()) return Status::InvalidArgument("secret mount should not have a from");
    if (!m.sharing.empty())
      return Status::InvalidArgument("secret mount should not define sharing");
    if (expand != nullptr && m.source.empty() && m.target.empty() && m.id.empty()) {
      return Status::InvalidArgument("invalid secret mount. one of source, target required");
    }
    if (!m.source.empty() && !m.id.empty()) {
      return Status::InvalidArgument("both source and id can't be set");
    }
  }
  if (!m.sharing.empty() && m.type != MountType::kCache) {
    return Status::InvalidArgument("invalid cache sharing set for " + type_name + " mount");
  }
  return m;
}

Result<std::string> ExpandRunMountSpec(std::string_view spec, const WordExpander& expand) {
  ASSIGN_OR_RETURN(std::vector<std::string> fields, SplitCsv(spec));
  std::string out;
  for (const std::string& field : fields) {
    if (!out.empty()) out += ',';
    size_t eq = field.find('=');
    if (eq == std::string::npos || Lower(field.substr(0, eq)) == "from") {
      out += field;
      continue;
    }
    ASSIGN_OR_RETURN(std::string value, expand(field.substr(eq + 1)));
    std::string rebuilt = field.substr(0, eq + 1) + value;
    if (rebuilt.find_first_of(",\"") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : rebuilt) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      rebuilt = quoted + "\"";
    }
    out += rebuilt;
  }
  return out;
}

}  // namespace strata::dockerfile
