#include "coordinator/config_apply.h"

#include <algorithm>
#include <set>

#include "common/path_clean.h"
#include "dockerfile/parser.h"
#include "dockerfile/shell_lexer.h"
#include "dockerfile/step_expander.h"

namespace strata::coordinator {
namespace {

using dockerfile::Command;

dockerfile::ShellEnv EnvOf(const image::ContainerConfig& config) {
  dockerfile::ShellEnv env;
  for (const auto& kv : config.env) {
    size_t eq = kv.find('=');
    env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return env;
}

Result<std::string> ExpandWith(bool expand, const std::string& word,
                               const image::ContainerConfig& config) {
  if (!expand) return word;
  return dockerfile::ShellLexer().ProcessWord(word, EnvOf(config));
}

void SetEnv(image::ContainerConfig* config, const std::string& key, const std::string& value) {
  std::string entry = key + "=" + value;
  for (auto& kv : config->env) {
    if (kv.compare(0, key.size() + 1, key + "=") == 0) {
      kv = entry;
      return;
    }
  }
  config->env.push_back(entry);
}

// Exec form as written; shell form through the configured SHELL.
std::vector<std::string> Argv(const dockerfile::CommandLine& line,
                              const image::ContainerConfig& config) {
  if (!line.prepend_shell) return line.args;
  std::vector<std::string> argv =
      config.shell ? *config.shell : std::vector<std::string>{"/bin/sh", "-c"};
  std::string joined;
  for (size_t i = 0; i < line.args.size(); ++i) joined += (i ? " " : "") + line.args[i];
  argv.push_back(joined);
  return argv;
}

std::string JoinPath(const std::string& base, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  std::string b = base.empty() ? "/" : base;
  if (b.back() != '/') b += '/';
  return b + path;
}

}  // namespace

Status ApplyMetadata(const Command& command, ConfigState* state) {
  image::ContainerConfig& c = state->config.config;
  auto Expand = [state](const std::string& word, const image::ContainerConfig& config) {
    return ExpandWith(state->expand_values, word, config);
  };
  if (const auto* cmd = command.As<dockerfile::CmdCommand>()) {
    c.cmd = Argv(cmd->command, c);
    state->cmd_set = true;
  } else if (const auto* ep = command.As<dockerfile::EntrypointCommand>()) {
    c.entrypoint = Argv(ep->command, c);
    if (!state->cmd_set) c.cmd.reset();
  } else if (const auto* env = command.As<dockerfile::EnvCommand>()) {
    for (const auto& kv : env->vars) {
      ASSIGN_OR_RETURN(std::string value, Expand(kv.value, c));
      ASSIGN_OR_RETURN(std::string key, Expand(kv.key, c));
      SetEnv(&c, key, value);
    }
  } else if (const auto* label = command.As<dockerfile::LabelCommand>()) {
    for (const auto& kv : label->labels) {
      ASSIGN_OR_RETURN(std::string key, Expand(kv.key, c));
      ASSIGN_OR_RETURN(std::string value, Expand(kv.value, c));
      c.labels[key] = value;
    }
  } else if (const auto* expose = command.As<dockerfile::ExposeCommand>()) {
    for (const auto& spec : expose->ports) {
      ASSIGN_OR_RETURN(std::string expanded, Expand(spec, c));
      ASSIGN_OR_RETURN(std::vector<std::string> ports, dockerfile::NormalizePorts(expanded));
      c.exposed_ports.insert(ports.begin(), ports.end());
    }
  } else if (const auto* vol = command.As<dockerfile::VolumeCommand>()) {
    for (const auto& path : vol->paths) {
      ASSIGN_OR_RETURN(std::string p, Expand(path, c));
      if (p.empty()) return Status::InvalidArgument("VOLUME specified can not be an empty string");
      c.volumes.insert(p);
    }
  } else if (const auto* user = command.As<dockerfile::UserCommand>()) {
    ASSIGN_OR_RETURN(c.user, Expand(user->user, c));
  } else if (const auto* wd = command.As<dockerfile::WorkdirCommand>()) {
    ASSIGN_OR_RETURN(std::string p, Expand(wd->path, c));
    // Stored cleaned, as BuildKit does: "../../tmp/x" from "/" is "/tmp/x".
    c.working_dir = CleanPath(JoinPath(c.working_dir, p));
  } else if (const auto* sig = command.As<dockerfile::StopSignalCommand>()) {
    ASSIGN_OR_RETURN(c.stop_signal, Expand(sig->signal, c));
  } else if (const auto* shell = command.As<dockerfile::ShellCommand>()) {
    c.shell = shell->shell;
  } else if (const auto* hc = command.As<dockerfile::HealthcheckCommand>()) {
    image::Healthcheck h;
    h.test = hc->none ? std::vector<std::string>{"NONE"} : hc->test;
    h.interval = hc->interval.count();
    h.timeout = hc->timeout.count();
    h.start_period = hc->start_period.count();
    h.start_interval = hc->start_interval.count();
    h.retries = hc->retries;
    c.healthcheck = h;
  } else if (const auto* ob = command.As<dockerfile::OnbuildCommand>()) {
    c.on_build.push_back(ob->expression);
  } else if (const auto* m = command.As<dockerfile::MaintainerCommand>()) {
    state->config.author = m->maintainer;
  } else if (command.As<dockerfile::ArgCommand>() != nullptr) {
    // Build-time only: nothing in the image.
  } else {
    return Status::InvalidArgument(
        command.keyword + " changes files and cannot be applied as a configuration change");
  }
  return Status::OK();
}

Status ApplyChanges(const std::vector<std::string>& changes, ConfigState* state) {
  static const std::set<std::string> kAllowed = {"CMD",    "ENTRYPOINT", "ENV",        "EXPOSE",
                                                 "LABEL",  "ONBUILD",    "STOPSIGNAL", "USER",
                                                 "VOLUME", "WORKDIR"};
  for (const std::string& change : changes) {
    auto fail = [&](const std::string& why) {
      return Status::InvalidArgument("--change '" + change + "': " + why);
    };
    Result<dockerfile::Ast> ast = dockerfile::Parse(change);
    if (!ast.ok()) return fail(ast.status().message());
    if (ast->instructions.size() != 1) return fail("give exactly one Dockerfile instruction");
    Result<Command> command = dockerfile::ParseInstruction(ast->instructions[0]);
    if (!command.ok()) return fail(command.status().message());
    if (!kAllowed.count(command->keyword)) {
      return fail(command->keyword +
                  " is not supported; use one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, "
                  "STOPSIGNAL, USER, VOLUME, WORKDIR");
    }
    Status s = ApplyMetadata(*command, state);
    if (!s.ok()) return fail(s.message());
  }
  return Status::OK();
}

}  // namespace strata::coordinator
