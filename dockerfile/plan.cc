#include "dockerfile/plan.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <set>

#include "common/did_you_mean.h"
#include "common/numbers.h"
#include "dockerfile/image_reference.h"
#include "dockerfile/platform.h"
#include "dockerfile/shell_lexer.h"
#include "dockerfile/step_expander.h"

namespace strata::dockerfile {
namespace {

constexpr std::array<std::string_view, 10> kProxyArgs = {
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
    "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

bool IsProxyArg(std::string_view name) {
  return std::find(kProxyArgs.begin(), kProxyArgs.end(), name) != kProxyArgs.end();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsIndex(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A stage as the instructions group it, before expansion.
struct StageDraft {
  Command from;
  std::vector<Command> commands;
};

// An edge of the stage graph: `from` needs `to` because of the instruction
// at `line` (`to` = -1: an image, named in `image`).
struct Edge {
  int to = -1;
  std::string image;
  int line = 0;
  bool is_base = false;
};

class Planner {
 public:
  Planner(const Ast& ast, const PlanOptions& opts) : ast_(ast), opts_(opts), lexer_(ast.escape) {}

  Result<BuildPlan> Run() {
    TRY(ParseInstructions());
    TRY(SetUpPlatforms());
    TRY(ResolveGlobalArgs());
    TRY(ResolveStages());
    TRY(BuildGraph());
    TRY(CheckCycles());
    TRY(ResolveTarget());
    MarkNeeded();
    TRY(CheckForwardReferences());
    TRY(ExpandStages());
    FinishArgs();
    return std::move(plan_);
  }

 private:
  Status LineError(int line, std::string_view message) const {
    return Status::InvalidArgument(opts_.filename + ":" + std::to_string(line) + ": " +
                                   std::string(message));
  }

  Status ParseInstructions() {
    plan_.filename = opts_.filename;
    if (ast_.instructions.empty()) return LineError(1, "file with no instructions");
    for (const Instruction& in : ast_.instructions) {
      auto command = ParseInstruction(in);
      if (!command.ok()) return LineError(in.start_line, command.status().message());
      if (command->As<FromCommand>()) {
        drafts_.push_back({std::move(*command), {}});
      } else if (!drafts_.empty()) {
        drafts_.back().commands.push_back(std::move(*command));
      } else if (command->As<ArgCommand>()) {
        meta_args_.push_back(std::move(*command));
      } else {
        return LineError(in.start_line, "no build stage in current context: " + command->keyword +
                                            " must follow a FROM instruction (only ARG may "
                                            "come before the first FROM)");
      }
    }
    if (drafts_.empty()) {
      return LineError(ast_.instructions.back().start_line,
                       "the Dockerfile has no FROM instruction, so there is no stage to build");
    }
    return Status::OK();
  }

  Status SetUpPlatforms() {
    auto build = ParsePlatform(opts_.build_platform);
    if (!build.ok()) return build.status().Annotate(opts_.filename + ": build platform");
    auto target =
        ParsePlatform(opts_.target_platform.empty() ? opts_.build_platform : opts_.target_platform);
    if (!target.ok()) return target.status().Annotate(opts_.filename + ": target platform");
    plan_.build_platform = FormatPlatform(*build);
    plan_.target_platform = FormatPlatform(*target);
    std::string target_stage = opts_.target;
    if (target_stage.empty()) target_stage = drafts_.back().from.As<FromCommand>()->name;
    if (target_stage.empty()) target_stage = "default";
    const std::pair<std::string, std::string> defaults[] = {
        {"BUILDPLATFORM", plan_.build_platform},
        {"BUILDOS", build->os},
        {"BUILDARCH", build->architecture},
        {"BUILDVARIANT", build->variant},
        {"TARGETPLATFORM", plan_.target_platform},
        {"TARGETOS", target->os},
        {"TARGETARCH", target->architecture},
        {"TARGETVARIANT", target->variant},
        {"TARGETSTAGE", target_stage}};
    for (const auto& [name, value] : defaults) {
      auto it = opts_.build_args.find(name);
      global_[name] = it != opts_.build_args.end() ? it->second : value;
      automatic_args_.insert(name);
    }
    return Status::OK();
  }

  // BuildKit's buildMetaArgs: --build-arg wins, else the default expanded
  // with the globals declared so far.
  Status ResolveGlobalArgs() {
    for (const Command& command : meta_args_) {
      for (const ArgDeclaration& arg : command.As<ArgCommand>()->args) {
        declared_args_.insert(arg.name);
        if (auto it = opts_.build_args.find(arg.name); it != opts_.build_args.end()) {
          global_[arg.name] = it->second;
        } else if (arg.default_value) {
          auto value = lexer_.ProcessWord(*arg.default_value, global_);
          if (!value.ok()) return LineError(command.start_line, value.status().message());
          global_[arg.name] = *value;
        }
      }
    }
    plan_.global_args = std::map<std::string, std::string>(global_.begin(), global_.end());
    return Status::OK();
  }

  Status ResolveStages() {
    for (size_t i = 0; i < drafts_.size(); ++i) {
      FromCommand from = *drafts_[i].from.As<FromCommand>();
      int line = drafts_[i].from.start_line;
      BuildStage stage;
      stage.index = static_cast<int>(i);
      stage.name = from.name;
      stage.start_line = line;
      stage.end_line = drafts_[i].from.end_line;
      auto image = lexer_.ProcessWord(from.image, global_);
      if (!image.ok()) return LineError(line, image.status().message());
      if (image->empty()) {
        return LineError(line, "base name (" + from.image + ") should not be blank");
      }
      if (!from.platform.empty()) {
        auto platform = lexer_.ProcessWord(from.platform, global_);
        if (!platform.ok()) return LineError(line, platform.status().message());
        if (platform->empty()) {
          return LineError(line, "empty platform value from expression " + from.platform);
        }
        auto parsed = ParsePlatform(*platform);
        if (!parsed.ok()) {
          return LineError(
              line, "failed to parse platform " + from.platform + ": " + parsed.status().message());
        }
        from.platform = *platform;
        stage.platform = FormatPlatform(*parsed);
      }
      from.image = *image;
      if (Lower(*image) == "scratch") {
        stage.base.kind = BaseKind::kScratch;
      } else if (auto it = names_.find(Lower(*image)); it != names_.end()) {
        stage.base = {BaseKind::kStage, "", it->second};
        if (stage.platform.empty()) stage.platform = plan_.stages[it->second].platform;
      } else {
        Status valid = ValidateImageReference(*image);
        if (!valid.ok()) return LineError(line, "FROM " + *image + ": " + valid.message());
        stage.base = {BaseKind::kImage, *image, -1};
      }
      if (stage.platform.empty()) stage.platform = plan_.target_platform;
      Command expanded = drafts_[i].from;
      expanded.body = from;
      stage.from_text = FormatCommand(expanded);
      if (!stage.name.empty()) {
        if (names_.contains(stage.name)) {
          plan_.warnings.push_back(opts_.filename + ":" + std::to_string(line) +
                                   ": duplicate stage name \"" + stage.name +
                                   "\"; later references use this stage");
        }
        names_[stage.name] = stage.index;
      }
      for (const Command& c : drafts_[i].commands) {
        if (auto* onbuild = c.As<OnbuildCommand>()) {
          stage.onbuild_triggers.push_back(onbuild->expression);
        }
      }
      plan_.stages.push_back(std::move(stage));
    }
    return Status::OK();
  }

  // The commands a stage runs: inherited ONBUILD triggers, then its own.
  std::vector<std::pair<const Command*, bool>> StageCommands(int index) const {
    std::vector<std::pair<const Command*, bool>> out;
    const BuildStage& stage = plan_.stages[index];
    if (stage.base.kind == BaseKind::kStage) {
      for (const Command& c : drafts_[stage.base.stage].commands) {
        if (auto* onbuild = c.As<OnbuildCommand>()) out.push_back({onbuild->trigger.get(), true});
      }
    }
    for (const Command& c : drafts_[index].commands) out.push_back({&c, false});
    return out;
  }

  Result<Edge> ResolveSource(std::string_view what, const std::string& ref, int line) const {
    Edge edge;
    edge.line = line;
    if (IsIndex(ref)) {
      int64_t index = ParseInt64(ref).value_or(-1);
      if (index < 0 || index >= static_cast<int64_t>(plan_.stages.size())) {
        return LineError(line, std::string(what) + ": invalid stage index " + ref + " (the " +
                                   "Dockerfile has stages 0 to " +
                                   std::to_string(plan_.stages.size() - 1) + ")");
      }
      edge.to = static_cast<int>(index);
      return edge;
    }
    if (auto it = names_.find(Lower(ref)); it != names_.end()) {
      edge.to = it->second;
      return edge;
    }
    Status valid = ValidateImageReference(ref);
    if (!valid.ok()) {
      return LineError(line, std::string(what) + ": \"" + ref +
                                 "\" is neither a build stage nor a valid image reference (" +
                                 valid.message() + ")");
    }
    edge.image = ref;
    return edge;
  }

  Status BuildGraph() {
    edges_.resize(plan_.stages.size());
    for (BuildStage& stage : plan_.stages) {
      std::vector<Edge>& edges = edges_[stage.index];
      if (stage.base.kind == BaseKind::kStage) {
        edges.push_back({stage.base.stage, "", stage.start_line, true});
      }
      for (const auto& [command, inherited] : StageCommands(stage.index)) {
        int line = inherited ? stage.start_line : command->start_line;
        if (auto* copy = command->As<CopyCommand>(); copy && !copy->from.empty()) {
          ASSIGN_OR_RETURN(Edge edge, ResolveSource("COPY --from=" + copy->from, copy->from, line));
          edges.push_back(edge);
        } else if (auto* run = command->As<RunCommand>()) {
          for (const RunMount& mount : run->mounts) {
            if (mount.from.empty()) continue;
            ASSIGN_OR_RETURN(Edge edge,
                             ResolveSource("RUN --mount from=" + mount.from, mount.from, line));
            edges.push_back(edge);
          }
        }
      }
      std::set<int> deps;
      std::set<std::string> images;
      for (const Edge& e : edges) {
        if (e.to >= 0)
          deps.insert(e.to);
        else if (images.insert(e.image).second)
          stage.image_sources.push_back(e.image);
      }
      stage.depends_on.assign(deps.begin(), deps.end());
    }
    return Status::OK();
  }

  Status CheckCycles() {
    enum { kNew, kOnPath, kDone };
    std::vector<int> state(plan_.stages.size(), kNew);
    std::vector<int> path;
    std::function<Status(int)> visit = [&](int s) -> Status {
      state[s] = kOnPath;
      path.push_back(s);
      for (const Edge& e : edges_[s]) {
        if (e.to < 0) continue;
        if (state[e.to] == kOnPath) {
          std::string cycle;
          auto start = std::find(path.begin(), path.end(), e.to);
          for (auto it = start; it != path.end(); ++it) {
            cycle += plan_.stages[*it].DisplayName() + " -> ";
          }
          cycle += plan_.stages[e.to].DisplayName();
          return LineError(e.line, "circular dependency detected between stages: " + cycle);
        }
        if (state[e.to] == kNew) TRY(visit(e.to));
      }
      path.pop_back();
      state[s] = kDone;
      return Status::OK();
    };
    for (size_t s = 0; s < plan_.stages.size(); ++s) {
      if (state[s] == kNew) TRY(visit(static_cast<int>(s)));
    }
    return Status::OK();
  }

  Status ResolveTarget() {
    if (opts_.target.empty()) {
      plan_.target = static_cast<int>(plan_.stages.size()) - 1;
      return Status::OK();
    }
    if (auto it = names_.find(Lower(opts_.target)); it != names_.end()) {
      plan_.target = it->second;
      return Status::OK();
    }
    std::vector<std::string> names;
    for (const BuildStage& s : plan_.stages) {
      if (!s.name.empty()) names.push_back(s.name);
    }
    std::string message =
        opts_.filename + ": target stage \"" + opts_.target + "\" could not be found";
    std::string guess = ClosestMatch(Lower(opts_.target), names);
    if (!guess.empty()) message += " (did you mean " + guess + "?)";
    if (names.empty()) {
      message += "; the Dockerfile has no named stages (name one with FROM image AS name)";
    } else {
      message += "; the stages are:";
      for (const std::string& n : names) message += " " + n;
    }
    return Status::InvalidArgument(message);
  }

  void MarkNeeded() {
    std::vector<int> todo = {plan_.target};
    while (!todo.empty()) {
      int s = todo.back();
      todo.pop_back();
      if (plan_.stages[s].needed) continue;
      plan_.stages[s].needed = true;
      for (int dep : plan_.stages[s].depends_on) todo.push_back(dep);
    }
  }

  // BuildKit dispatches stages in order, so a needed stage can copy only
  // from a stage defined before it.
  Status CheckForwardReferences() const {
    for (const BuildStage& stage : plan_.stages) {
      if (!stage.needed) continue;
      for (const Edge& e : edges_[stage.index]) {
        if (e.to > stage.index) {
          return LineError(e.line, "cannot copy from stage \"" + plan_.stages[e.to].DisplayName() +
                                       "\", it needs to be defined before current stage \"" +
                                       stage.DisplayName() + "\"");
        }
      }
    }
    return Status::OK();
  }

  Status ExpandStages() {
    std::vector<StageScope> scopes(plan_.stages.size());
    std::set<std::string> pruned_declared;
    for (BuildStage& stage : plan_.stages) {
      StageScope& scope = scopes[stage.index];
      if (stage.base.kind == BaseKind::kStage) scope = scopes[stage.base.stage];
      if (stage.base.kind == BaseKind::kScratch) {
        std::string_view path = kScratchPathEnv;
        scope.vars["PATH"] = std::string(path.substr(path.find('=') + 1));
        scope.env_names.insert("PATH");
      }
      if (stage.base.kind == BaseKind::kImage && opts_.base_image) {
        if (std::optional<BaseImageScope> base = opts_.base_image(stage.base.image)) {
          for (const std::string& kv : base->env) {
            size_t eq = kv.find('=');
            std::string name = kv.substr(0, eq);
            scope.vars[name] = eq == std::string::npos ? "" : kv.substr(eq + 1);
            scope.env_names.insert(name);
          }
          if (!base->workdir.empty()) scope.workdir = base->workdir;
          if (!base->shell.empty()) scope.shell = base->shell;
        }
      }
      ExpandContext ctx{&lexer_, &global_, &opts_.build_args,
                        stage.needed ? &declared_args_ : &pruned_declared};
      for (const auto& [command, inherited] : StageCommands(stage.index)) {
        auto step = ExpandStep(*command, &scope, ctx);
        int line = inherited ? stage.start_line : command->start_line;
        if (!step.ok() && stage.needed) return LineError(line, step.status().message());
        if (!step.ok()) {
          plan_.warnings.push_back(opts_.filename + ":" + std::to_string(line) + ": (stage " +
                                   stage.DisplayName() + " is not needed) " +
                                   step.status().message());
          BuildStep raw;
          raw.command = *command;
          raw.text = FormatCommand(*command);
          step = std::move(raw);
        }
        step->from_onbuild = inherited;
        step->start_line = line;
        step->end_line = inherited ? stage.end_line : command->end_line;
        stage.steps.push_back(std::move(*step));
      }
    }
    return Status::OK();
  }

  void FinishArgs() {
    plan_.build_args = opts_.build_args;
    for (const auto& [name, value] : opts_.build_args) {
      if (IsProxyArg(name)) {
        plan_.proxy_env[name] = value;
      } else if (!declared_args_.contains(name) && !automatic_args_.contains(name)) {
        plan_.unused_build_args.push_back(name);
      }
    }
  }

  const Ast& ast_;
  const PlanOptions& opts_;
  ShellLexer lexer_;
  BuildPlan plan_;
  std::vector<Command> meta_args_;
  std::vector<StageDraft> drafts_;
  ShellEnv global_;
  std::set<std::string> automatic_args_;
  std::set<std::string> declared_args_;
  std::map<std::string, int> names_;  // lower-case stage name -> index
  std::vector<std::vector<Edge>> edges_;
};

}  // namespace

std::string BuildStage::DisplayName() const {
  return name.empty() ? "stage-" + std::to_string(index) : name;
}

Result<BuildPlan> Plan(const Ast& ast, const PlanOptions& opts) {
  Planner planner(ast, opts);
  return planner.Run();
}

}  // namespace strata::dockerfile
