#pragma once

// The seam between build planning and execution: a StepRunner carries out
// one filesystem step (RUN, COPY, ADD, WORKDIR) on top of a parent layer
// chain and returns its layer, within the BuildScope of the build it
// belongs to (its id, its client's uploads and event sink, its cancel); an
// EventSink receives the progress of a build. The protocol side implements
// both (jobs to workers, BuildEvents to the client); tests use fakes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cache/records.h"
#include "common/result.h"
#include "coordinator/build_scope.h"
#include "coordinator/build_step_key.h"
#include "dockerfile/plan.h"

namespace strata::coordinator {

struct BuildEvent {
  enum class Kind { kStarted, kCached, kLog, kDone, kError, kRetry };
  Kind kind = Kind::kStarted;
  std::string stage;  // display name: "build", "stage-0"
  int index = 0;      // 1-based step number within the build
  int total = 0;      // steps of the build
  std::string text;   // kStarted/kCached: "RUN make"; kLog: one line; kError: the message;
                      // kRetry: why ("worker lost")
  int64_t duration_nanos = 0;  // kDone
  int attempt = 0, max_attempts = 0;  // kRetry: the run starting now, of at most
};

// Receives a build's events. BuildRunner calls it from the threads of the
// build's stages, one call at a time; events of different stages
// interleave, each carrying its step number.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const BuildEvent& event) = 0;
};

// One filesystem step to run.
struct StepJob {
  Digest key;                                // its cache key
  std::string stage;                         // display name ("" in a one-stage build)
  std::vector<cache::LayerRecord> parents;   // base first; empty for scratch
  dockerfile::BuildStep step;                // typed, expanded
  ExecState state;                           // env (sorted), user, workdir, shell
  // COPY --from: the source stage's (or image's) layers, base first.
  std::vector<cache::LayerRecord> from_layers;
  // COPY/ADD without --from: the context entries its sources select (what
  // the key's inputs digest covers), for the worker to fetch by content.
  std::vector<cache::InputEntry> inputs;
  std::optional<int64_t> source_date_epoch;
  int number = 0;  // 1-based step number within the build (its events carry it)
  int total = 0;   // steps of the build
};

// What a step produced, or how it failed (a RUN exiting non-zero is an
// outcome, not an error: the Status of Run is for steps that could not be
// carried out).
struct StepOutcome {
  bool ok = true;
  cache::LayerRecord layer;  // stored in the Store's BlobStore when ok
  bool empty = false;        // the layer changes nothing
  int exit_code = 0;
  std::string message;  // failure: `process "..." did not complete successfully: exit code: 1`
};

// Called concurrently: the stages of a build run in parallel, and several
// builds share one runner.
class StepRunner {
 public:
  virtual ~StepRunner() = default;
  // Runs `job` for the build `scope` is of; may emit kLog events (with the
  // job's step number) to scope.events(). When ok, the layer blob is in
  // the store. When the scope is cancelled meanwhile, stops and returns
  // its reason.
  virtual Result<StepOutcome> Run(const StepJob& job, BuildScope& scope) = 0;
};

}  // namespace strata::coordinator
