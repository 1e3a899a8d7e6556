#pragma once

// The run of one build plan, for BuildRunner::Build: prepares the needed
// stages (base images resolved, their ONBUILD triggers expanded, steps
// numbered in the sequential order), runs them on one thread per stage as
// soon as the stages they depend on are built, serves or runs each step
// (cache lookup, coalescing, the StepRunner, the cache record), and
// assembles the target stage into an image. Internal to
// coordinator/build_runner.cc.
//
// Thread-safe as its stage threads use it: the built stages and the first
// failure are shared under mu_; the caller's EventSink and ContextSource
// are called one at a time.

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cache/store.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "coordinator/build_runner.h"
#include "coordinator/build_serial_seams.h"
#include "coordinator/build_stage_state.h"
#include "coordinator/build_step_key.h"
#include "coordinator/build_step_runner.h"
#include "coordinator/step_coalescer.h"
#include "dockerfile/plan.h"

namespace strata::coordinator {

class UrlFetcher;

// A needed stage as the PlanRun runs it.
struct StageJob {
  const dockerfile::BuildStage* stage = nullptr;
  std::vector<dockerfile::BuildStep>
      steps;                       // the base image's ONBUILD triggers, then the plan's steps
  std::set<int> deps;              // stages to build first
  int first_step = 0;              // steps of the build before this stage's first
  int from_step = 0;               // FROM an image: its own step number (BuildKit shows it)
  std::optional<StageState> base;  // FROM an image: resolved while preparing
  // What running it produced (read after all threads joined).
  std::vector<StepReport> reports;
  int cached = 0;
  int ran = 0;
};

class PlanRun {
 public:
  PlanRun(cache::Store& store, StepRunner& runner, Clock& clock, StepCoalescer& coalescer,
          std::function<UrlFetcher&()> urls, const dockerfile::BuildPlan& plan,
          ContextSource* context, const BuildOptions& options, BuildScope& scope)
      : store_(store),
        runner_(runner),
        clock_(clock),
        coalescer_(coalescer),
        urls_(std::move(urls)),
        plan_(plan),
        serial_context_(context),
        context_(serial_context_.get()),
        options_(options),
        parent_(scope),
        events_(scope.events()),
        scope_(scope.id(), &events_, scope.uploader(), scope.deadline_nanos()) {}
  // Builds plan.target (see BuildRunner::Build). Once per PlanRun.
  Result<BuildResult> Run() EXCLUDES(mu_);

 private:
  // Resolves the base images, expands their ONBUILD triggers, and numbers
  // the steps in the sequential order (stage index, then step). A trigger
  // that copies from a stage the plan did not need pulls that stage in.
  Status Prepare();
  Result<StageState> ImageBase(const dockerfile::BuildStage& stage);

  // The base image's ONBUILD triggers become the stage's first steps; the
  // image built keeps only the stage's own ONBUILD instructions.
  Status ImageTriggers(const dockerfile::BuildStage& stage, StageJob* job);

  // One thread per needed stage; each waits for its dependencies.
  void RunStages();
  void RunStageWhenReady(StageJob& job) EXCLUDES(mu_);
  // Whether every stage `job` depends on is built.
  bool DepsBuiltLocked(const StageJob& job) REQUIRES(mu_);
  Result<StageState> BaseOf(const StageJob& job) EXCLUDES(mu_);
  Result<StageState> RunStage(StageJob& job);

  // Downloads the http(s) sources of an ADD into the store.
  Status FetchUrls(const dockerfile::BuildStep& step,
                   std::map<std::string, cache::InputEntry>* fetched);

  // What FilesystemStep needs to know about its step.
  struct StepContext {
    const dockerfile::BuildStage& stage;
    const dockerfile::BuildStep& step;
    int number;
    const ExecState& state;
    bool use_cache;
    ContextSource* context;  // the build context, plus the step's URL sources
    const std::map<std::string, cache::InputEntry>& fetched;
  };

  // Runs or serves one step that makes a layer; appends the layer unless it
  // is empty and returns whether it is. A step that another caller is
  // running with the same key (and namespace and cache mode) is waited for
  // and served from its entry.
  Result<bool> FilesystemStep(const StepContext& ctx, StepReport& report,
                              std::vector<cache::LayerRecord> from_layers, StageJob* job,
                              StageState* s);

  // The context entries a COPY/ADD without --from reads.
  Result<std::vector<cache::InputEntry>> SelectInputs(const dockerfile::BuildStep& step,
                                                      ContextSource* context);
  Status Fail(const StepContext& ctx, const std::string& message, StatusCode code);
  Status ErrorEvent(const dockerfile::BuildStage& stage, int number, const Status& status);
  Result<std::optional<cache::CacheEntry>> Lookup(const Digest& key);
  Result<cache::CacheEntry> Record(const Digest& key, const StepOutcome& outcome);
  Status ResolveFrom(const std::string& from, const dockerfile::BuildStep& step, Digest* key,
                     std::vector<cache::LayerRecord>* layers) EXCLUDES(mu_);
  Result<cache::ImageRecord> Assemble(const StageState& s);
  void Emit(BuildEvent::Kind kind, const dockerfile::BuildStage& stage, int number,
            const std::string& text, int64_t duration = 0);

  cache::Store& store_;
  StepRunner& runner_;
  Clock& clock_;
  StepCoalescer& coalescer_;
  std::function<UrlFetcher&()> urls_;
  const dockerfile::BuildPlan& plan_;
  SerialContext serial_context_;
  ContextSource* context_;  // &serial_context_, or null without a context
  const BuildOptions& options_;
  BuildScope& parent_;  // the caller's
  SerialSink events_;
  // What the steps run in: the caller's scope with the events serialized,
  // cancelled with it, and also when a stage fails (the others stop).
  BuildScope scope_;
  std::map<int, StageJob> jobs_;  // needed stages by index; fixed after Prepare
  int total_ = 0;

  Mutex mu_;
  CondVar cv_;                                        // a stage was built, or one failed
  std::map<int, StageState> states_ GUARDED_BY(mu_);  // built stages
  // Written under mu_; read without it by running stages, to stop early.
  std::atomic<bool> failed_{false};
  Status error_ GUARDED_BY(mu_);  // the first failure
};

}  // namespace strata::coordinator
