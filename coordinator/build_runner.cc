#include "coordinator/build_runner.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "coordinator/build_image_assembler.h"
#include "coordinator/config_apply.h"
#include "coordinator/image_resolver.h"

namespace strata::coordinator {
namespace {

using dockerfile::BuildPlan;
using dockerfile::BuildStage;
using dockerfile::BuildStep;

constexpr char kHistoryComment[] = "buildkit.dockerfile.v0";

// A stage as far as it has been built.
struct StageState {
  Digest key;
  ConfigState config{{}, false, /*expand_values=*/false};  // steps arrive expanded
  std::vector<cache::LayerRecord> layers;
  std::vector<std::pair<std::string, std::string>> args;  // ARGs with a value, in scope
  int64_t newest_entry_nanos = 0;  // newest cache entry on the chain
  int64_t base_created_nanos = 0;  // created time of the base image
};

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? " " : "") + words[i];
  return out;
}

std::string Location(const BuildPlan& plan, int line) {
  return plan.filename + ":" + std::to_string(line) + ": ";
}

ExecState ExecStateOf(const StageState& s, const BuildPlan& plan) {
  const image::ContainerConfig& c = s.config.config.config;
  std::map<std::string, std::string> env;
  for (const std::string& kv : c.env) {
    size_t eq = kv.find('=');
    env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  for (const auto& [k, v] : s.args) env.try_emplace(k, v);  // ENV wins over ARG
  for (const auto& [k, v] : plan.proxy_env) env.try_emplace(k, v);
  ExecState state;
  state.env.assign(env.begin(), env.end());
  state.user = c.user;
  state.workdir = c.working_dir.empty() ? "/" : c.working_dir;
  if (c.shell) state.shell = *c.shell;
  return state;
}

void RecordArgs(const BuildStep& step, StageState* s) {
  for (const auto& change : step.changes) {
    if (change.field != "BuildArg") continue;
    size_t eq = change.value.find('=');
    if (eq == std::string::npos) continue;
    std::string name = change.value.substr(0, eq);
    std::erase_if(s->args, [&](const auto& kv) { return kv.first == name; });
    s->args.emplace_back(name, change.value.substr(eq + 1));
  }
}

// BuildKit's created_by: "RUN |1 V=x /bin/sh -c make # buildkit",
// "COPY a b /dst # buildkit", metadata steps as written.
std::string CreatedBy(const BuildStep& step, const StageState& s, const ExecState& state) {
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

// os/arch[/variant] of a platform string.
void SetPlatform(const std::string& platform, image::ImageConfig* config) {
  size_t a = platform.find('/');
  config->os = platform.substr(0, a);
  if (a == std::string::npos) return;
  size_t b = platform.find('/', a + 1);
  config->architecture = platform.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  if (b != std::string::npos) config->variant = platform.substr(b + 1);
}

// --from=N or --from=NAME naming a stage: its index; -1 for an image.
int FindStage(const BuildPlan& plan, const std::string& from) {
  if (!from.empty() && std::all_of(from.begin(), from.end(), ::isdigit)) return std::stoi(from);
  std::string lower = from;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  for (const BuildStage& stage : plan.stages) {
    if (!stage.name.empty() && stage.name == lower) return stage.index;
  }
  return -1;
}

std::string EntryMetadata(bool empty) {
  return nlohmann::json{{"v", 1}, {"empty", empty}}.dump();
}

bool EntryIsEmpty(const cache::CacheEntry& entry) {
  nlohmann::json j = nlohmann::json::parse(entry.metadata, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.value("empty", false);
}

class BuildSession {
 public:
  BuildSession(cache::Store& store, StepRunner& runner, Clock& clock, const BuildPlan& plan,
               ContextSource* context, const BuildOptions& options, EventSink* events)
      : store_(store), runner_(runner), clock_(clock), plan_(plan), context_(context),
        options_(options), events_(events) {}

  Result<BuildResult> Run() {
    if (plan_.target < 0 || plan_.target >= static_cast<int>(plan_.stages.size())) {
      return Status::InvalidArgument(plan_.filename + ": the plan has no target stage");
    }
    for (const BuildStage& stage : plan_.stages) {
      if (stage.needed) total_ += stage.steps.size();
    }
    for (const BuildStage& stage : plan_.stages) {
      if (!stage.needed) continue;
      ASSIGN_OR_RETURN(StageState state, RunStage(stage));
      stages_[stage.index] = std::move(state);
    }
    ASSIGN_OR_RETURN(result_.image, Assemble(stages_.at(plan_.target)));
    return std::move(result_);
  }

 private:
  Result<StageState> BaseOf(const BuildStage& stage) {
    StageState s;
    switch (stage.base.kind) {
      case dockerfile::BaseKind::kScratch:
        s.key = ScratchKey();
        SetPlatform(stage.platform.empty() ? plan_.target_platform : stage.platform,
                    &s.config.config);
        return s;
      case dockerfile::BaseKind::kStage:
        return stages_.at(stage.base.stage);
      case dockerfile::BaseKind::kImage: {
        Result<ResolvedImage> image = ResolveImage(store_.metadata(), stage.base.image);
        if (!image.ok()) {
          return image.status().Annotate(Location(plan_, stage.start_line) + "FROM " +
                                         stage.base.image + " (pull the image first)");
        }
        ASSIGN_OR_RETURN(std::string json, store_.blobs().ReadAll(image->record.config_digest));
        ASSIGN_OR_RETURN(s.config.config, image::ImageConfig::FromJson(json));
        s.key = image->record.manifest_digest;
        s.layers = image->record.layers;
        s.base_created_nanos = image->record.created_unix_nanos;
        return s;
      }
    }
    return Status::Internal("unknown base kind");
  }

  Result<StageState> RunStage(const BuildStage& stage) {
    ASSIGN_OR_RETURN(StageState s, BaseOf(stage));
    bool use_cache = !options_.no_cache && !options_.no_cache_filter.contains(stage.name);
    for (const BuildStep& step : stage.steps) {
      ++index_;
      ExecState state = ExecStateOf(s, plan_);
      Digest from_key;
      std::vector<cache::LayerRecord> from_layers;
      if (const auto* copy = step.command.As<dockerfile::CopyCommand>(); copy && !copy->from.empty()) {
        TRY(ResolveFrom(copy->from, step, &from_key, &from_layers));
      }
      Result<cache::CacheKeyBuilder> builder =
          StepKeyBuilder(s.key, step, state, from_key, context_);
      if (!builder.ok()) return builder.status().Annotate(Location(plan_, step.start_line));
      StepReport report;
      report.stage = stage.DisplayName();
      report.line = step.start_line;
      report.text = step.text;
      report.key = builder->Build();
      if (options_.cache_debug) report.preimage = builder->Preimage();
      Emit(BuildEvent::Kind::kStarted, stage, step.text);
      int64_t started = clock_.NowUnixNanos();

      image::HistoryEntry history;
      history.created_by = CreatedBy(step, s, state);
      history.comment = kHistoryComment;
      history.empty_layer = true;
      if (step.changes_filesystem) {
        ASSIGN_OR_RETURN(bool empty, FilesystemStep(stage, step, state, report, use_cache,
                                                    std::move(from_layers), &s));
        history.empty_layer = empty;
      }
      if (!step.changes_filesystem || step.command.As<dockerfile::WorkdirCommand>()) {
        Status applied = ApplyMetadata(step.command, &s.config);
        if (!applied.ok()) return applied.Annotate(Location(plan_, step.start_line) + step.text);
      }
      RecordArgs(step, &s);
      s.config.config.history.push_back(history);
      s.key = report.key;
      result_.steps.push_back(report);
      Emit(BuildEvent::Kind::kDone, stage, step.text, clock_.NowUnixNanos() - started);
    }
    return s;
  }

  // Runs or serves one step that makes a layer; appends the layer unless it
  // is empty and returns whether it is.
  Result<bool> FilesystemStep(const BuildStage& stage, const BuildStep& step,
                              const ExecState& state, StepReport& report, bool use_cache,
                              std::vector<cache::LayerRecord> from_layers, StageState* s) {
    std::optional<cache::CacheEntry> entry;
    if (use_cache) {
      ASSIGN_OR_RETURN(entry, Lookup(report.key));
    }
    if (entry) {
      report.cached = true;
      ++result_.cached_steps;
      Emit(BuildEvent::Kind::kCached, stage, step.text);
    } else {
      StepJob job{report.key, stage.DisplayName(), s->layers, step, state, std::move(from_layers),
                  {}, options_.source_date_epoch};
      ASSIGN_OR_RETURN(job.inputs, SelectInputs(step));
      Result<StepOutcome> outcome = runner_.Run(job, events_);
      report.ran = true;
      ++result_.ran_steps;
      if (!outcome.ok()) return Fail(stage, step, outcome.status().message(), outcome.status().code());
      if (!outcome->ok) return Fail(stage, step, outcome->message, StatusCode::kInvalidArgument);
      ASSIGN_OR_RETURN(entry, Record(report.key, *outcome));
    }
    s->newest_entry_nanos = std::max(s->newest_entry_nanos, entry->created_unix_nanos);
    bool empty = EntryIsEmpty(*entry);
    if (!empty) {
      s->layers.push_back({entry->layer_digest, entry->diff_id, entry->size, entry->media_type});
    }
    return empty;
  }

  // The context entries a COPY/ADD without --from reads.
  Result<std::vector<cache::InputEntry>> SelectInputs(const BuildStep& step) {
    const auto* copy = step.command.As<dockerfile::CopyCommand>();
    const auto* add = step.command.As<dockerfile::AddCommand>();
    if ((copy == nullptr && add == nullptr) || (copy && !copy->from.empty())) {
      return std::vector<cache::InputEntry>();
    }
    const auto& sources = copy ? copy->sources : add->sources;
    if (sources.empty() || context_ == nullptr) return std::vector<cache::InputEntry>();
    Result<std::vector<cache::InputEntry>> entries =
        context_->Select(sources, copy ? copy->excludes : add->excludes);
    if (!entries.ok()) return entries.status().Annotate(Location(plan_, step.start_line) + step.text);
    return entries;
  }

  Status Fail(const BuildStage& stage, const BuildStep& step, const std::string& message,
              StatusCode code) {
    std::string text = Location(plan_, step.start_line) + step.text + ": " + message;
    Emit(BuildEvent::Kind::kError, stage, text);
    return Status(code, text);
  }

  // The caller's own entry, else a shared one; absent when its layer is gone.
  Result<std::optional<cache::CacheEntry>> Lookup(const Digest& key) {
    ASSIGN_OR_RETURN(std::optional<cache::CacheEntry> found,
                     store_.metadata().GetCacheEntry(key, options_.ns));
    if (!found) {
      ASSIGN_OR_RETURN(std::vector<cache::CacheEntry> all, store_.metadata().GetCacheEntries(key));
      for (auto& e : all) {
        if (e.shared) {
          found = std::move(e);
          break;
        }
      }
    }
    if (found && !found->layer_digest.empty()) {
      ASSIGN_OR_RETURN(bool present, store_.blobs().Has(found->layer_digest));
      if (!present) return std::optional<cache::CacheEntry>();
    }
    return found;
  }

  // Verifies the step's layer blob, then writes its cache entry.
  Result<cache::CacheEntry> Record(const Digest& key, const StepOutcome& outcome) {
    TRY(cache::VerifyBlob(store_.blobs(), outcome.layer.digest));
    cache::CacheEntry entry;
    entry.key = key;
    entry.ns = options_.ns;
    entry.layer_digest = outcome.layer.digest;
    entry.diff_id = outcome.layer.diff_id;
    entry.size = outcome.layer.size;
    entry.media_type = outcome.layer.media_type;
    entry.metadata = EntryMetadata(outcome.empty);
    entry.created_unix_nanos = clock_.NowUnixNanos();
    TRY(store_.PutCacheEntry(entry));
    return entry;
  }

  Status ResolveFrom(const std::string& from, const BuildStep& step, Digest* key,
                     std::vector<cache::LayerRecord>* layers) {
    int index = FindStage(plan_, from);
    if (index >= 0) {
      auto it = stages_.find(index);
      if (it == stages_.end()) {
        return Status::InvalidArgument(Location(plan_, step.start_line) + "stage " + from +
                                       " is not built before this step");
      }
      *key = it->second.key;
      *layers = it->second.layers;
      return Status::OK();
    }
    Result<ResolvedImage> image = ResolveImage(store_.metadata(), from);
    if (!image.ok()) {
      return image.status().Annotate(Location(plan_, step.start_line) + "COPY --from=" + from +
                                     " (pull the image first)");
    }
    *key = image->record.manifest_digest;
    *layers = image->record.layers;
    return Status::OK();
  }

  Result<cache::ImageRecord> Assemble(const StageState& s) {
    int64_t created = s.newest_entry_nanos ? s.newest_entry_nanos : s.base_created_nanos;
    if (options_.source_date_epoch) created = *options_.source_date_epoch * 1'000'000'000;
    ImageParts parts;
    parts.config = s.config.config;
    parts.config.created = FormatRfc3339Nano(created);
    for (auto& h : parts.config.history) {
      if (h.created.empty()) h.created = parts.config.created;
    }
    parts.layers = s.layers;
    parts.created_unix_nanos = created;
    parts.platform = plan_.target_platform;
    return AssembleImage(store_, std::move(parts), options_.tags);
  }

  void Emit(BuildEvent::Kind kind, const BuildStage& stage, const std::string& text,
            int64_t duration = 0) {
    if (events_ == nullptr) return;
    BuildEvent e;
    e.kind = kind;
    e.stage = stage.DisplayName();
    e.index = index_;
    e.total = total_;
    e.text = text;
    e.duration_nanos = duration;
    events_->OnEvent(e);
  }

  cache::Store& store_;
  StepRunner& runner_;
  Clock& clock_;
  const BuildPlan& plan_;
  ContextSource* context_;
  const BuildOptions& options_;
  EventSink* events_;
  std::map<int, StageState> stages_;
  BuildResult result_;
  int index_ = 0;
  int total_ = 0;
};

}  // namespace

Result<BuildResult> BuildRunner::Build(const BuildPlan& plan, ContextSource* context,
                                       const BuildOptions& options, EventSink* events) {
  return BuildSession(store_, runner_, clock_, plan, context, options, events).Run();
}

}  // namespace strata::coordinator
