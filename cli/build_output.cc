#include "cli/build_output.h"

namespace strata::cli {
namespace {

// Splits buildx's CSV: commas separate fields except inside double quotes,
// which are removed ("name=\"a,b\"").
std::vector<std::string> SplitFields(const std::string& text) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

Result<bool> ParseBool(const std::string& text, const std::string& key, const std::string& value) {
  if (value == "true" || value.empty()) return true;
  if (value == "false") return false;
  return Status::InvalidArgument("--output " + text + ": " + key + "=" + value +
                                 " is not a boolean (use true or false)");
}

}  // namespace

Result<BuildOutput> ParseBuildOutput(const std::string& text) {
  BuildOutput out;
  std::vector<std::pair<std::string, std::string>> fields;
  for (const std::string& field : SplitFields(text)) {
    size_t eq = field.find('=');
    std::string key = field.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    if (key == "type") {
      out.type = value;
    } else if (eq == std::string::npos && fields.empty() && out.type.empty() && !key.empty()) {
      out.dest = key;  // a bare FILE, as buildx takes a path for type=local
    } else {
      fields.emplace_back(key, value);
    }
  }
  if (out.type.empty()) out.type = "oci";
  if (out.type == "registry") {
    out.type = "image";
    out.push = true;
  }
  if (out.type == "oci" || out.type == "docker") {
    for (const auto& [key, value] : fields) {
      if (key == "dest") {
        out.dest = value;
      } else {
        return Status::InvalidArgument("--output " + text + ": " + key + " is not supported yet (" +
                                       out.type + " archives take dest=FILE)");
      }
    }
    if (out.dest.empty()) {
      return Status::InvalidArgument("--output " + text + ": dest=FILE is required");
    }
    return out;
  }
  if (out.type == "image") {
    for (const auto& [key, value] : fields) {
      if (key == "name") {
        for (const std::string& name : SplitFields(value)) {
          if (!name.empty()) out.names.push_back(name);
        }
      } else if (key == "push") {
        ASSIGN_OR_RETURN(out.push, ParseBool(text, key, value));
      } else {
        return Status::InvalidArgument("--output " + text + ": " + key +
                                       " is not supported yet (type=image takes name= and push=)");
      }
    }
    return out;
  }
  return Status::InvalidArgument("--output " + text + ": type '" + out.type +
                                 "' is not supported yet; use type=oci, docker, image or registry");
}

}  // namespace strata::cli
