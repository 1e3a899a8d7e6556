#include "coordinator/build_history.h"

#include <algorithm>
#include <set>
#include <vector>

#include "dockerfile/go_strings.h"
#include "dockerfile/step_expander.h"

namespace strata::coordinator {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? " " : "") + words[i];
  return out;
}

}  // namespace

// BuildKit's created_by: "RUN |1 V=x /bin/sh -c make # buildkit",
// "COPY a b /dst # buildkit", metadata steps as written.
std::string CreatedBy(const dockerfile::BuildStep& step, const StageState& s,
                      const ExecState& state) {
  const dockerfile::Command& command = step.command;
  if (const auto* run = command.As<dockerfile::RunCommand>()) {
    std::string prefix;
    if (!s.args.empty()) {
      prefix = "|" + std::to_string(s.args.size()) + " ";
      for (const auto& [k, v] : s.args) prefix += k + "=" + v + " ";
    }
    return "RUN " + prefix + Join(CommandArgv(run->command, state.shell)) + " # buildkit";
  }
  if (const auto* copy = command.As<dockerfile::CopyCommand>()) {
    return "COPY " + Join(copy->sources) + " " + copy->dest + " # buildkit";
  }
  if (const auto* add = command.As<dockerfile::AddCommand>()) {
    return "ADD " + Join(add->sources) + " " + add->dest + " # buildkit";
  }
  return step.text;
}

namespace {

// Go's fmt %q of a []string: ["a" "b"].
std::string GoQuotedList(const std::vector<std::string>& words) {
  std::string out = "[";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += " ";
    out += dockerfile::go::Quote(words[i]);
  }
  return out + "]";
}

// Go's fmt %v of a []string: [a b].
std::string GoList(const std::vector<std::string>& words) { return "[" + Join(words) + "]"; }

bool HasVariable(const std::string& s) { return s.find('$') != std::string::npos; }

}  // namespace

std::optional<std::string> MetadataCreatedBy(const dockerfile::BuildStep& step,
                                             const StageState& after) {
  const dockerfile::Command& command = step.command;
  const image::ContainerConfig& c = after.config.config.config;
  if (command.As<dockerfile::OnbuildCommand>()) return std::nullopt;
  if (command.As<dockerfile::CmdCommand>()) {
    return "CMD " + GoQuotedList(c.cmd.value_or(std::vector<std::string>{}));
  }
  if (command.As<dockerfile::EntrypointCommand>()) {
    return "ENTRYPOINT " + GoQuotedList(c.entrypoint.value_or(std::vector<std::string>{}));
  }
  if (command.As<dockerfile::UserCommand>()) return "USER " + c.user;
  if (command.As<dockerfile::WorkdirCommand>()) return "WORKDIR " + c.working_dir;
  if (command.As<dockerfile::StopSignalCommand>()) return "STOPSIGNAL " + c.stop_signal;
  if (const auto* shell = command.As<dockerfile::ShellCommand>())
    return "SHELL " + GoList(shell->shell);
  if (const auto* m = command.As<dockerfile::MaintainerCommand>())
    return "MAINTAINER " + m->maintainer;
  if (const auto* env = command.As<dockerfile::EnvCommand>()) {
    std::string out = "ENV";
    for (const auto& kv : env->vars) {
      std::string value = kv.value;
      for (const auto& e : c.env) {
        if (e.compare(0, kv.key.size() + 1, kv.key + "=") == 0) value = e.substr(kv.key.size() + 1);
      }
      out += " " + kv.key + "=" + value;
    }
    return out;
  }
  if (const auto* label = command.As<dockerfile::LabelCommand>()) {
    std::string out = "LABEL";
    for (const auto& kv : label->labels) {
      if (HasVariable(kv.key)) return step.text;
      auto it = c.labels.find(kv.key);
      out += " " + kv.key + "=" + (it == c.labels.end() ? kv.value : it->second);
    }
    return out;
  }
  if (const auto* expose = command.As<dockerfile::ExposeCommand>()) {
    std::set<std::string> ports;
    for (const auto& spec : expose->ports) {
      if (HasVariable(spec)) return step.text;
      Result<std::vector<std::string>> normal = dockerfile::NormalizePorts(spec);
      if (!normal.ok()) return step.text;
      ports.insert(normal->begin(), normal->end());
    }
    std::string out = "EXPOSE map[";
    bool first = true;
    for (const auto& p : ports) {
      out += (first ? "" : " ") + p + ":{}";
      first = false;
    }
    return out + "]";
  }
  if (const auto* volume = command.As<dockerfile::VolumeCommand>()) {
    for (const auto& p : volume->paths) {
      if (HasVariable(p)) return step.text;
    }
    return "VOLUME " + GoList(volume->paths);
  }
  if (const auto* arg = command.As<dockerfile::ArgCommand>()) {
    std::vector<std::string> parts;
    for (const auto& decl : arg->args) {
      std::string part = decl.name;
      auto it = std::find_if(after.args.begin(), after.args.end(),
                             [&](const auto& kv) { return kv.first == decl.name; });
      if (it != after.args.end()) {
        part += "=" + it->second;
      } else if (decl.default_value) {
        part += "=" + *decl.default_value;
      }
      parts.push_back(part);
    }
    return "ARG " + Join(parts);
  }
  return step.text;
}

}  // namespace strata::coordinator
