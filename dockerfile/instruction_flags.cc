#include "dockerfile/instruction_flags.h"

#include <algorithm>
#include <cassert>

#include "common/did_you_mean.h"

namespace strata::dockerfile {

void InstructionFlags::AddBool(std::string name) {
  flags_[std::move(name)] = Flag{Kind::kBool, "false", {}};
}

void InstructionFlags::AddString(std::string name, std::string default_value) {
  flags_[std::move(name)] = Flag{Kind::kString, std::move(default_value), {}};
}

void InstructionFlags::AddStrings(std::string name) {
  flags_[std::move(name)] = Flag{Kind::kStrings, "", {}};
}

Status InstructionFlags::Parse() {
  for (const std::string& arg : written_) {
    if (arg == "--") return Status::OK();
    if (arg.rfind("--", 0) != 0) {
      return Status::InvalidArgument("arg should start with -- : " + arg);
    }
    size_t eq = arg.find('=');
    bool has_value = eq != std::string::npos;
    std::string flag_name = arg.substr(0, eq);
    std::string value = has_value ? arg.substr(eq + 1) : "";
    std::string name = flag_name.substr(2);

    auto it = flags_.find(name);
    if (it == flags_.end()) {
      std::vector<std::string> known;
      for (const auto& [known_name, unused] : flags_) known.push_back(known_name);
      std::string message = "unknown flag: " + flag_name;
      std::string guess = ClosestMatch(name, known);
      if (!guess.empty()) message += " (did you mean --" + guess + "?)";
      return Status::InvalidArgument(message);
    }
    Flag& flag = it->second;
    if (flag.used && flag.kind != Kind::kStrings) {
      return Status::InvalidArgument("duplicate flag specified: " + flag_name);
    }
    flag.used = true;
    switch (flag.kind) {
      case Kind::kBool: {
        if (has_value && value.empty()) {
          return Status::InvalidArgument("missing a value on flag: " + flag_name);
        }
        std::string lower = value;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (lower == "true" || lower.empty()) {
          flag.value = "true";
        } else if (lower == "false") {
          flag.value = "false";
        } else {
          return Status::InvalidArgument("expecting boolean value for flag " + flag_name +
                                         ", not: " + value);
        }
        break;
      }
      case Kind::kString:
        if (!has_value) return Status::InvalidArgument("missing a value on flag: " + flag_name);
        flag.value = value;
        break;
      case Kind::kStrings:
        if (!has_value) return Status::InvalidArgument("missing a value on flag: " + flag_name);
        flag.values.push_back(value);
        break;
    }
  }
  return Status::OK();
}

bool InstructionFlags::Bool(std::string_view name) const {
  auto it = flags_.find(name);
  assert(it != flags_.end() && it->second.kind == Kind::kBool);
  return it->second.value == "true";
}

const std::string& InstructionFlags::String(std::string_view name) const {
  auto it = flags_.find(name);
  assert(it != flags_.end() && it->second.kind == Kind::kString);
  return it->second.value;
}

const std::vector<std::string>& InstructionFlags::Strings(std::string_view name) const {
  auto it = flags_.find(name);
  assert(it != flags_.end() && it->second.kind == Kind::kStrings);
  return it->second.values;
}

bool InstructionFlags::IsUsed(std::string_view name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.used;
}

}  // namespace strata::dockerfile
