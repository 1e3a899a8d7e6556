#pragma once

// Runs a build plan against the store: computes each step's cache key,
// serves cached steps from the store, runs the others through a StepRunner,
// records each result in the cache as soon as its step finishes, and
// assembles the target stage into an image (docs/build-cache.md).
//
// Stages run one after another in index order (a stage only depends on
// earlier ones); running independent stages in parallel is the scheduler's
// job and not done yet. Thread-compatible: one Build at a time per runner.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cache/store.h"
#include "common/clock.h"
#include "common/result.h"
#include "coordinator/build_step_key.h"
#include "coordinator/build_step_runner.h"
#include "dockerfile/plan.h"

namespace strata::coordinator {

struct BuildOptions {
  std::string ns = "default";              // reads ns + shared entries, writes ns
  bool no_cache = false;                   // run every step, overwrite the entries
  std::set<std::string> no_cache_filter;   // stage names (lower-case) run without cache
  bool cache_debug = false;                // fill StepReport::preimage
  std::vector<std::string> tags;           // normalised references
  std::optional<int64_t> source_date_epoch;  // seconds
};

// What happened to one step (FROM lines are not steps).
struct StepReport {
  std::string stage;
  int line = 0;
  std::string text;
  Digest key;
  bool cached = false;    // served from the cache
  bool ran = false;       // went through the StepRunner
  std::string preimage;   // CacheKeyBuilder::Preimage(), with cache_debug
};

struct BuildResult {
  cache::ImageRecord image;
  std::vector<StepReport> steps;  // needed stages in order, then their steps
  int cached_steps = 0;
  int ran_steps = 0;
};

class BuildRunner {
 public:
  // REQUIRES: all three outlive the runner.
  BuildRunner(cache::Store& store, StepRunner& runner, Clock& clock)
      : store_(store), runner_(runner), clock_(clock) {}

  // Builds plan.target. `context` serves COPY/ADD sources (may be null when
  // no step reads the context). A failed step fails the build with
  // "FILE:LINE: message"; steps finished before it stay cached and no tag
  // moves.
  Result<BuildResult> Build(const dockerfile::BuildPlan& plan, ContextSource* context,
                            const BuildOptions& options, EventSink* events);

 private:
  cache::Store& store_;
  StepRunner& runner_;
  Clock& clock_;
};

}  // namespace strata::coordinator
