#include "coordinator/plan_run.h"

#include <algorithm>
#include <thread>

#include "common/thread_top.h"
#include "coordinator/build_history.h"
#include "coordinator/build_image_assembler.h"
#include "coordinator/build_step_entry.h"
#include "coordinator/build_url_source.h"
#include "coordinator/config_apply.h"
#include "coordinator/image_resolver.h"
#include "dockerfile/flag_support.h"
#include "dockerfile/onbuild_trigger.h"
#include "image/reference.h"

namespace strata::coordinator {

using dockerfile::BuildPlan;
using dockerfile::BuildStage;
using dockerfile::BuildStep;

namespace {

constexpr char kHistoryComment[] = "buildkit.dockerfile.v0";

}  // namespace

Result<BuildResult> PlanRun::Run() {
  if (plan_.target < 0 || plan_.target >= static_cast<int>(plan_.stages.size())) {
    return Status::InvalidArgument(plan_.filename + ": the plan has no target stage");
  }
  TRY(Prepare());
  std::unique_ptr<BuildScope::Hook> cancelled =
      parent_.OnCancel([this](const Status& why) { scope_.Cancel(why); });
  RunStages();
  StageState target;
  {
    MutexLock lock(mu_);
    if (failed_) return error_;
    target = states_.at(plan_.target);
  }
  // Cancelled after its last step: still no image, no tag.
  TRY(parent_.cancelled());
  BuildResult result;
  for (auto& [index, job] : jobs_) {
    for (StepReport& r : job.reports) result.steps.push_back(std::move(r));
    result.cached_steps += job.cached;
    result.ran_steps += job.ran;
  }
  ASSIGN_OR_RETURN(result.image, Assemble(target));
  return result;
}

Status PlanRun::Prepare() {
  std::vector<int> work;
  for (const BuildStage& stage : plan_.stages) {
    if (stage.needed) work.push_back(stage.index);
  }
  std::set<int> seen(work.begin(), work.end());
  while (!work.empty()) {
    const BuildStage& stage = plan_.stages[work.back()];
    work.pop_back();
    Status native = dockerfile::CheckStagePlatform(stage, plan_.build_platform);
    if (!native.ok()) {
      return Status(native.code(), Location(plan_, stage.start_line) + native.message());
    }
    StageJob& job = jobs_[stage.index];
    job.stage = &stage;
    job.deps.insert(stage.depends_on.begin(), stage.depends_on.end());
    if (stage.base.kind == dockerfile::BaseKind::kImage) {
      ASSIGN_OR_RETURN(job.base, ImageBase(stage));
      TRY(ImageTriggers(stage, &job));
    }
    job.steps.insert(job.steps.end(), stage.steps.begin(), stage.steps.end());
    for (int dep : job.deps) {
      if (dep >= stage.index) {
        return Status::InvalidArgument(
            Location(plan_, stage.start_line) + "cannot copy from stage \"" +
            plan_.stages[dep].DisplayName() + "\", it needs to be defined before current stage \"" +
            stage.DisplayName() + "\"");
      }
      if (seen.insert(dep).second) work.push_back(dep);
    }
  }
  // No flag is dropped: one strata does not carry out refuses the build.
  for (auto& [index, job] : jobs_) {
    for (const BuildStep& step : job.steps) {
      Status carried = dockerfile::CheckStepFlags(step);
      if (!carried.ok()) {
        return Status(carried.code(), Location(plan_, step.start_line) + carried.message());
      }
    }
  }
  for (auto& [index, job] : jobs_) {
    if (job.stage->base.kind == dockerfile::BaseKind::kImage) job.from_step = ++total_;
    job.first_step = total_;
    total_ += static_cast<int>(job.steps.size());
  }
  return Status::OK();
}

Result<StageState> PlanRun::ImageBase(const BuildStage& stage) {
  StageState s;
  Result<ResolvedImage> image = ResolveImage(store_.metadata(), stage.base.image);
  if (!image.ok()) {
    return image.status().Annotate(Location(plan_, stage.start_line) + "FROM " + stage.base.image +
                                   " (pull the image first)");
  }
  ASSIGN_OR_RETURN(std::string json, store_.blobs().ReadAll(image->record.config_digest));
  ASSIGN_OR_RETURN(s.config.config, image::ImageConfig::FromJson(json));
  s.key = image->record.manifest_digest;
  s.layers = image->record.layers;
  s.base_created_nanos = image->record.created_unix_nanos;
  return s;
}

Status PlanRun::ImageTriggers(const BuildStage& stage, StageJob* job) {
  image::ContainerConfig& base = job->base->config.config.config;
  std::vector<std::string> triggers = std::move(base.on_build);
  base.on_build.clear();
  if (triggers.empty()) return Status::OK();
  dockerfile::TriggerScope scope;
  scope.env = base.env;
  scope.workdir = base.working_dir;
  if (base.shell) scope.shell = *base.shell;
  scope.build_args = plan_.build_args;
  scope.global_args = plan_.global_args;
  std::string where = Location(plan_, stage.start_line) + "FROM " + stage.base.image;
  Result<std::vector<BuildStep>> steps =
      dockerfile::ExpandOnbuildTriggers(triggers, scope, stage.start_line);
  if (!steps.ok()) return steps.status().Annotate(where);
  for (const BuildStep& step : *steps) {
    const auto* copy = step.command.As<dockerfile::CopyCommand>();
    if (copy == nullptr || copy->from.empty()) continue;
    int from = FindStage(plan_, copy->from);
    if (from < 0) continue;  // an image
    if (from >= stage.index) {
      return Status::InvalidArgument(where + ": ONBUILD trigger \"" + step.text +
                                     "\" copies from stage " + copy->from +
                                     ", which is defined after this stage");
    }
    job->deps.insert(from);
  }
  job->steps = std::move(*steps);
  return Status::OK();
}

void PlanRun::RunStages() {
  std::vector<std::thread> threads;
  threads.reserve(jobs_.size());
  for (auto& [index, job] : jobs_) {
    threads.emplace_back([this, &job = job] { RunStageWhenReady(job); });
  }
  for (std::thread& t : threads) t.join();
}

void PlanRun::RunStageWhenReady(StageJob& job) {
  {
    MutexLock lock(mu_);
    while (!failed_ && !DepsBuiltLocked(job)) cv_.Wait(mu_);
    if (failed_) return;  // abandoned: another stage failed
  }
  Result<StageState> state = CatchAtThreadTopOr<Result<StageState>>(
      "stage " + std::to_string(job.stage->index), [&] { return RunStage(job); });
  {
    MutexLock lock(mu_);
    if (state.ok()) {
      states_[job.stage->index] = std::move(*state);
    } else if (!failed_) {
      failed_ = true;
      error_ = state.status();
    }
  }
  cv_.NotifyAll();
  // The other stages' running jobs stop too (a no-op when this one ended
  // because the build was cancelled).
  if (!state.ok()) scope_.Cancel(Status::Cancelled("another stage of the build failed"));
}

bool PlanRun::DepsBuiltLocked(const StageJob& job) {
  for (int dep : job.deps) {
    if (!states_.contains(dep)) return false;
  }
  return true;
}

Result<StageState> PlanRun::BaseOf(const StageJob& job) {
  const BuildStage& stage = *job.stage;
  StageState s;
  switch (stage.base.kind) {
    case dockerfile::BaseKind::kScratch:
      s.key = ScratchKey();
      SetPlatform(stage.platform.empty() ? plan_.target_platform : stage.platform,
                  &s.config.config);
      SetScratchConfig(&s.config.config);
      return s;
    case dockerfile::BaseKind::kStage: {
      MutexLock lock(mu_);
      s = states_.at(stage.base.stage);
      // Its ONBUILD triggers are the planner's first steps of this stage.
      s.config.config.config.on_build.clear();
      return s;
    }
    case dockerfile::BaseKind::kImage:
      return *job.base;
  }
  return Status::Internal("unknown base kind");
}

Result<StageState> PlanRun::RunStage(StageJob& job) {
  const BuildStage& stage = *job.stage;
  ASSIGN_OR_RETURN(StageState s, BaseOf(job));
  if (job.from_step > 0) {
    // As BuildKit: "[1/3] FROM docker.io/library/debian:bookworm", the
    // reference normalised; resolved while preparing, so done at once.
    Result<image::Reference> ref = image::ParseReference(stage.base.image);
    std::string text = "FROM " + (ref.ok() ? ref->String() : stage.base.image);
    Emit(BuildEvent::Kind::kStarted, stage, job.from_step, text);
    Emit(BuildEvent::Kind::kDone, stage, job.from_step, text);
  }
  bool use_cache = !options_.no_cache && !options_.no_cache_filter.contains(stage.name);
  for (size_t i = 0; i < job.steps.size(); ++i) {
    if (failed_) return Status::Cancelled("another stage of the build failed");
    if (Status stopped = scope_.cancelled(); !stopped.ok()) return stopped;
    const BuildStep& step = job.steps[i];
    const int number = job.first_step + static_cast<int>(i) + 1;
    ExecState state = ExecStateOf(s, plan_);
    Digest from_key;
    std::vector<cache::LayerRecord> from_layers;
    if (const auto* copy = step.command.As<dockerfile::CopyCommand>();
        copy && !copy->from.empty()) {
      TRY(ResolveFrom(copy->from, step, &from_key, &from_layers));
    }
    // ADD: BuildKit's --checksum rules, then the URL sources downloaded.
    Status checksum = CheckAddChecksum(step);
    if (!checksum.ok()) return checksum.Annotate(Location(plan_, step.start_line) + step.text);
    std::map<std::string, cache::InputEntry> fetched;
    Status fetch = FetchUrls(step, &fetched);
    if (!fetch.ok()) return ErrorEvent(stage, number, fetch);
    UrlContextSource with_urls(context_);
    for (const auto& [url, entry] : fetched) with_urls.Add(url, entry);
    ContextSource* context = fetched.empty() ? context_ : &with_urls;

    Result<cache::CacheKeyBuilder> builder = StepKeyBuilder(s.key, step, state, from_key, context);
    if (!builder.ok()) {
      // Location ends in ": " already; Annotate would add a second one.
      return Status(builder.status().code(),
                    Location(plan_, step.start_line) + builder.status().message());
    }
    // SOURCE_DATE_EPOCH clamps the times in a step's layer, so it is part
    // of what the step produces (absent when unset: keys stay as before).
    if (step.changes_filesystem && options_.source_date_epoch) {
      builder->String("source_date_epoch", std::to_string(*options_.source_date_epoch));
    }
    StepReport report;
    report.stage = stage.DisplayName();
    report.line = step.start_line;
    report.text = step.text;
    report.key = builder->Build();
    if (options_.cache_debug) report.preimage = builder->Preimage();
    Emit(BuildEvent::Kind::kStarted, stage, number, step.text);
    int64_t started = clock_.NowUnixNanos();

    image::HistoryEntry history;
    history.created_by = CreatedBy(step, s, state);
    history.comment = kHistoryComment;
    history.empty_layer = true;
    if (step.changes_filesystem) {
      StepContext ctx{stage, step, number, state, use_cache, context, fetched};
      ASSIGN_OR_RETURN(bool empty, FilesystemStep(ctx, report, std::move(from_layers), &job, &s));
      history.empty_layer = empty;
    }
    if (!step.changes_filesystem || step.command.As<dockerfile::WorkdirCommand>()) {
      Status applied = ApplyMetadata(step.command, &s.config);
      if (!applied.ok()) return applied.Annotate(Location(plan_, step.start_line) + step.text);
    }
    RecordArgs(step, &s);
    bool recorded = true;
    if (!step.changes_filesystem || step.command.As<dockerfile::WorkdirCommand>()) {
      std::optional<std::string> created_by = MetadataCreatedBy(step, s);
      recorded = created_by.has_value();
      if (created_by) history.created_by = *created_by;
    }
    if (recorded) s.config.config.history.push_back(history);
    s.key = report.key;
    job.reports.push_back(report);
    Emit(BuildEvent::Kind::kDone, stage, number, step.text, clock_.NowUnixNanos() - started);
  }
  return s;
}

Status PlanRun::FetchUrls(const BuildStep& step,
                          std::map<std::string, cache::InputEntry>* fetched) {
  const auto* add = step.command.As<dockerfile::AddCommand>();
  if (add == nullptr) return Status::OK();
  for (const std::string& source : add->sources) {
    if (!IsUrlSource(source) || fetched->contains(source)) continue;
    Result<cache::InputEntry> entry = urls_().Fetch(source, add->checksum);
    if (!entry.ok()) {
      return Status(entry.status().code(),
                    Location(plan_, step.start_line) + entry.status().message());
    }
    (*fetched)[source] = std::move(*entry);
  }
  return Status::OK();
}

Result<bool> PlanRun::FilesystemStep(const StepContext& ctx, StepReport& report,
                                     std::vector<cache::LayerRecord> from_layers, StageJob* job,
                                     StageState* s) {
  std::optional<cache::CacheEntry> entry;
  if (ctx.use_cache) {
    ASSIGN_OR_RETURN(entry, Lookup(report.key));
  }
  bool ran = false;
  if (!entry) {
    std::string coalesce_key =
        options_.ns + "\n" + report.key.ToString() + (ctx.use_cache ? "\ncache" : "\nno-cache");
    auto produce = [&]() -> Result<cache::CacheEntry> {
      if (ctx.use_cache) {  // finished while this caller was not looking?
        ASSIGN_OR_RETURN(std::optional<cache::CacheEntry> again, Lookup(report.key));
        if (again) return *again;
      }
      StepJob step_job{report.key, ctx.stage.DisplayName(), s->layers, ctx.step,
                       ctx.state,  std::move(from_layers),  {},        options_.source_date_epoch};
      if (!ctx.fetched.empty()) step_job.step = RewriteUrlSources(ctx.step, ctx.fetched);
      ASSIGN_OR_RETURN(step_job.inputs, SelectInputs(step_job.step, ctx.context));
      step_job.number = ctx.number;
      step_job.total = total_;
      step_job.stage = plan_.stages.size() > 1 ? ctx.stage.DisplayName() : "";
      ran = true;
      Result<StepOutcome> outcome = runner_.Run(step_job, scope_);
      if (!outcome.ok()) {
        return Fail(ctx, outcome.status().message(), outcome.status().code());
      }
      if (!outcome->ok) return Fail(ctx, outcome->message, StatusCode::kInvalidArgument);
      return Record(report.key, *outcome);
    };
    ASSIGN_OR_RETURN(StepCoalescer::Produced produced, coalescer_.Run(coalesce_key, produce));
    entry = std::move(produced.entry);
  }
  if (ran) {
    report.ran = true;
    ++job->ran;
  } else {
    report.cached = true;
    ++job->cached;
    Emit(BuildEvent::Kind::kCached, ctx.stage, ctx.number, ctx.step.text);
  }
  s->newest_entry_nanos = std::max(s->newest_entry_nanos, entry->created_unix_nanos);
  bool empty = EntryIsEmpty(*entry);
  if (!empty) {
    s->layers.push_back({entry->layer_digest, entry->diff_id, entry->size, entry->media_type,
                         entry->uncompressed_size});
  }
  return empty;
}

Result<std::vector<cache::InputEntry>> PlanRun::SelectInputs(const BuildStep& step,
                                                             ContextSource* context) {
  const auto* copy = step.command.As<dockerfile::CopyCommand>();
  const auto* add = step.command.As<dockerfile::AddCommand>();
  if ((copy == nullptr && add == nullptr) || (copy && !copy->from.empty())) {
    return std::vector<cache::InputEntry>();
  }
  const auto& sources = copy ? copy->sources : add->sources;
  if (sources.empty() || context == nullptr) return std::vector<cache::InputEntry>();
  Result<std::vector<cache::InputEntry>> entries = SelectCopyInputs(
      context, sources, copy ? copy->excludes : add->excludes, copy && copy->parents);
  if (!entries.ok()) return entries.status().Annotate(Location(plan_, step.start_line) + step.text);
  return entries;
}

Status PlanRun::Fail(const StepContext& ctx, const std::string& message, StatusCode code) {
  std::string text = Location(plan_, ctx.step.start_line) + ctx.step.text + ": " + message;
  Emit(BuildEvent::Kind::kError, ctx.stage, ctx.number, text);
  return Status(code, text);
}

Status PlanRun::ErrorEvent(const BuildStage& stage, int number, const Status& status) {
  Emit(BuildEvent::Kind::kError, stage, number, status.message());
  return status;
}

Result<std::optional<cache::CacheEntry>> PlanRun::Lookup(const Digest& key) {
  ASSIGN_OR_RETURN(std::optional<cache::CacheEntry> found,
                   LookupStepEntry(store_, key, options_.ns));
  if (found && options_.cache_share && found->ns == options_.ns) {
    TRY(ShareStepEntry(store_, *found));
  }
  return found;
}

Result<cache::CacheEntry> PlanRun::Record(const Digest& key, const StepOutcome& outcome) {
  return RecordStepEntry(store_, key, options_.ns, outcome, clock_.NowUnixNanos(),
                         options_.cache_share);
}

Status PlanRun::ResolveFrom(const std::string& from, const BuildStep& step, Digest* key,
                            std::vector<cache::LayerRecord>* layers) {
  int index = FindStage(plan_, from);
  if (index >= 0) {
    MutexLock lock(mu_);
    auto it = states_.find(index);
    if (it == states_.end()) {
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

Result<cache::ImageRecord> PlanRun::Assemble(const StageState& s) {
  int64_t created = s.newest_entry_nanos ? s.newest_entry_nanos : s.base_created_nanos;
  if (options_.source_date_epoch) created = *options_.source_date_epoch * 1'000'000'000;
  ImageParts parts;
  parts.config = s.config.config;
  parts.config.created = FormatRfc3339Nano(created);
  for (auto& h : parts.config.history) {
    if (h.created.empty()) h.created = parts.config.created;
  }
  for (const auto& [key, value] : options_.labels) parts.config.config.labels[key] = value;
  parts.layers = s.layers;
  parts.created_unix_nanos = created;
  parts.platform = plan_.target_platform;
  return AssembleImage(store_, std::move(parts), options_.tags);
}

void PlanRun::Emit(BuildEvent::Kind kind, const BuildStage& stage, int number,
                   const std::string& text, int64_t duration) {
  BuildEvent e;
  e.kind = kind;
  // As BuildKit: a one-stage build shows no stage name ("[2/3] RUN x").
  e.stage = plan_.stages.size() > 1 ? stage.DisplayName() : "";
  e.index = number;
  e.total = total_;
  e.text = text;
  e.duration_nanos = duration;
  events_.OnEvent(e);
}

}  // namespace strata::coordinator
