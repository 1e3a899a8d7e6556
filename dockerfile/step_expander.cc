#include "dockerfile/step_expander.h"

#include <algorithm>

#include "common/numbers.h"
#include "common/path_clean.h"

namespace strata::dockerfile {
namespace {

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

class Expander {
 public:
  Expander(StageScope* scope, const ExpandContext& ctx) : scope_(scope), ctx_(ctx) {}

  Result<std::string> Word(std::string_view word) const {
    return ctx_.lexer->ProcessWord(word, scope_->vars);
  }
  Status Words(std::vector<std::string>* words) const {
    for (std::string& w : *words) {
      ASSIGN_OR_RETURN(w, Word(w));
    }
    return Status::OK();
  }
  // COPY/ADD sources: an escaped wildcard character stays escaped for the
  // matcher (`n\?pe` names only the file `n?pe`).
  Status Sources(std::vector<std::string>* words) const {
    ShellLexer::Options glob;
    glob.keep_glob_escapes = true;
    ShellLexer lexer(ctx_.lexer->escape(), glob);
    for (std::string& w : *words) {
      ASSIGN_OR_RETURN(w, lexer.ProcessWord(w, scope_->vars));
    }
    return Status::OK();
  }
  Status Field(std::string* value) const {
    if (value->empty()) return Status::OK();
    ASSIGN_OR_RETURN(*value, Word(*value));
    return Status::OK();
  }
  // Here-document bodies keep their quotes: only $ and the escape act.
  Status Contents(std::vector<SourceContent>* contents) const {
    ShellLexer::Options raw;
    raw.skip_process_quotes = true;
    ShellLexer lexer('\\', raw);
    for (SourceContent& c : *contents) {
      if (!c.expand) continue;
      ASSIGN_OR_RETURN(c.data, lexer.ProcessWord(c.data, scope_->vars));
    }
    return Status::OK();
  }

  std::vector<std::string> FinalArgv(const CommandLine& line) const {
    if (!line.prepend_shell) return line.args;
    std::vector<std::string> argv = scope_->shell;
    if (!line.args.empty()) argv.push_back(line.args[0]);
    return argv;
  }

  Status Expand(Command* command, BuildStep* step) {
    std::vector<ConfigChange>& changes = step->changes;
    if (auto* c = command->As<EnvCommand>()) {
      // All pairs see the variables from before this ENV.
      for (KeyValue& kv : c->vars) {
        ASSIGN_OR_RETURN(kv.key, Word(kv.key));
        ASSIGN_OR_RETURN(kv.value, Word(kv.value));
      }
      for (const KeyValue& kv : c->vars) {
        scope_->vars[kv.key] = kv.value;
        scope_->env_names.insert(kv.key);
        changes.push_back({"Env", kv.key + "=" + kv.value});
      }
    } else if (auto* c = command->As<LabelCommand>()) {
      for (KeyValue& kv : c->labels) {
        ASSIGN_OR_RETURN(kv.key, Word(kv.key));
        ASSIGN_OR_RETURN(kv.value, Word(kv.value));
        changes.push_back({"Labels", kv.key + "=" + kv.value});
      }
    } else if (auto* c = command->As<ArgCommand>()) {
      for (ArgDeclaration& arg : c->args) TRY(DeclareArg(&arg, &changes));
    } else if (auto* c = command->As<CopyCommand>()) {
      TRY(Sources(&c->sources));
      ASSIGN_OR_RETURN(c->dest, Word(c->dest));
      TRY(Field(&c->chown));
      TRY(Field(&c->chmod));
      if (!c->chmod.empty()) TRY(ValidateChmod(c->chmod));
      TRY(Contents(&c->contents));
      step->changes_filesystem = true;
    } else if (auto* c = command->As<AddCommand>()) {
      TRY(Sources(&c->sources));
      ASSIGN_OR_RETURN(c->dest, Word(c->dest));
      TRY(Field(&c->chown));
      TRY(Field(&c->chmod));
      TRY(Field(&c->checksum));
      if (!c->chmod.empty()) TRY(ValidateChmod(c->chmod));
      TRY(Contents(&c->contents));
      TRY(CheckChecksum(*c));
      step->changes_filesystem = true;
    } else if (auto* c = command->As<RunCommand>()) {
      WordExpander expand = [this](std::string_view w) { return Word(w); };
      c->mounts.clear();
      for (std::string& spec : c->mount_specs) {
        ASSIGN_OR_RETURN(RunMount mount, ParseRunMount(spec, &expand));
        c->mounts.push_back(std::move(mount));
        ASSIGN_OR_RETURN(spec, ExpandRunMountSpec(spec, expand));
      }
      step->changes_filesystem = true;
    } else if (auto* c = command->As<ExposeCommand>()) {
      std::vector<std::string> ports;
      for (const std::string& p : c->ports) {
        ASSIGN_OR_RETURN(std::vector<std::string> words, ctx_.lexer->ProcessWords(p, scope_->vars));
        for (const std::string& w : words) {
          ports.push_back(w);
          ASSIGN_OR_RETURN(std::vector<std::string> normalized, NormalizePorts(w));
          for (const std::string& n : normalized) changes.push_back({"ExposedPorts", n});
        }
      }
      c->ports = std::move(ports);
    } else if (auto* c = command->As<VolumeCommand>()) {
      TRY(Words(&c->paths));
      for (const std::string& p : c->paths) {
        if (p.empty())
          return Status::InvalidArgument("VOLUME specified can not be an empty string");
        changes.push_back({"Volumes", p});
      }
    } else if (auto* c = command->As<UserCommand>()) {
      ASSIGN_OR_RETURN(c->user, Word(c->user));
      changes.push_back({"User", c->user});
    } else if (auto* c = command->As<WorkdirCommand>()) {
      ASSIGN_OR_RETURN(c->path, Word(c->path));
      std::string path = c->path;
      if (path.empty() || path[0] != '/') path = scope_->workdir + "/" + path;
      scope_->workdir = CleanRootedPath(path);
      changes.push_back({"WorkingDir", scope_->workdir});
      step->changes_filesystem = true;
    } else if (auto* c = command->As<StopSignalCommand>()) {
      ASSIGN_OR_RETURN(c->signal, Word(c->signal));
      changes.push_back({"StopSignal", c->signal});
    } else if (auto* c = command->As<CmdCommand>()) {
      changes.push_back({"Cmd", JsonArray(FinalArgv(c->command))});
    } else if (auto* c = command->As<EntrypointCommand>()) {
      changes.push_back({"Entrypoint", JsonArray(FinalArgv(c->command))});
    } else if (auto* c = command->As<ShellCommand>()) {
      scope_->shell = c->shell;
      changes.push_back({"Shell", JsonArray(c->shell)});
    } else if (auto* c = command->As<HealthcheckCommand>()) {
      changes.push_back({"Healthcheck", JsonArray(c->test)});
    } else if (auto* c = command->As<OnbuildCommand>()) {
      changes.push_back({"OnBuild", c->expression});
    } else if (auto* c = command->As<MaintainerCommand>()) {
      changes.push_back({"Author", c->maintainer});
    } else if (command->As<FromCommand>()) {
      return Status::Internal("FROM is not a step");
    }
    return Status::OK();
  }

 private:
  // BuildKit's dispatchArg: --build-arg, else the default (expanded), else
  // the global value of the same name.
  Status DeclareArg(ArgDeclaration* arg, std::vector<ConfigChange>* changes) {
    ctx_.declared_args->insert(arg->name);
    std::optional<std::string> value;
    if (auto it = ctx_.build_args->find(arg->name); it != ctx_.build_args->end()) {
      value = it->second;
    } else if (arg->default_value) {
      ASSIGN_OR_RETURN(value, Word(*arg->default_value));
    } else if (auto g = ctx_.global_args->find(arg->name); g != ctx_.global_args->end()) {
      value = g->second;
    }
    arg->default_value = value;
    if (!value) {
      changes->push_back({"BuildArg", arg->name});
      return Status::OK();
    }
    if (!scope_->env_names.contains(arg->name)) scope_->vars[arg->name] = *value;
    changes->push_back({"BuildArg", arg->name + "=" + *value});
    return Status::OK();
  }

  static Status CheckChecksum(const AddCommand& c) {
    if (c.checksum.empty()) return Status::OK();
    if (c.sources.size() != 1 || !c.contents.empty()) {
      return Status::InvalidArgument("checksum can't be specified for multiple sources");
    }
    const std::string& src = c.sources[0];
    bool http = src.rfind("http://", 0) == 0 || src.rfind("https://", 0) == 0;
    bool git = src.rfind("git@", 0) == 0 || src.rfind("git://", 0) == 0 ||
               (http && src.find(".git") != std::string::npos);
    if (!http && !git) return Status::InvalidArgument("checksum requires HTTP(S) or Git sources");
    return Status::OK();
  }

  StageScope* scope_;
  const ExpandContext& ctx_;
};

Result<int> ParsePortNumber(std::string_view s, std::string_view spec) {
  if (s.empty() || s.size() > 5 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("invalid containerPort: " + std::string(spec));
  }
  std::optional<int64_t> n = ParseInt64InRange(s, 0, 65535);
  if (!n) return Status::InvalidArgument("invalid containerPort: " + std::string(spec));
  return static_cast<int>(*n);
}

}  // namespace

Result<std::vector<std::string>> NormalizePorts(std::string_view spec) {
  std::string_view port = spec;
  std::string proto = "tcp";
  if (size_t slash = spec.find('/'); slash != std::string_view::npos) {
    port = spec.substr(0, slash);
    proto = std::string(spec.substr(slash + 1));
    std::transform(proto.begin(), proto.end(), proto.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      return Status::InvalidArgument("invalid proto: " + proto + " in EXPOSE " + std::string(spec));
    }
  }
  // "ip:hostPort:containerPort" publishing forms: only the container port counts.
  if (size_t colon = port.rfind(':'); colon != std::string_view::npos)
    port = port.substr(colon + 1);
  size_t dash = port.find('-');
  ASSIGN_OR_RETURN(int first, ParsePortNumber(port.substr(0, dash), spec));
  int last = first;
  if (dash != std::string_view::npos) {
    ASSIGN_OR_RETURN(last, ParsePortNumber(port.substr(dash + 1), spec));
    if (last < first) return Status::InvalidArgument("invalid port range: " + std::string(spec));
  }
  std::vector<std::string> out;
  for (int p = first; p <= last; ++p) out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

Result<BuildStep> ExpandStep(const Command& command, StageScope* scope, const ExpandContext& ctx) {
  BuildStep step;
  step.command = command;
  step.start_line = command.start_line;
  step.end_line = command.end_line;
  Expander expander(scope, ctx);
  TRY(expander.Expand(&step.command, &step));
  step.text = FormatCommand(step.command);
  return step;
}

}  // namespace strata::dockerfile
