#pragma once

// How `strata build` shows a build, as BuildKit's progress modes do:
//  - plain: one block per step, `#N [stage i/n] INSTRUCTION`, the RUN
//    output prefixed with the seconds since the step started, `#N CACHED`
//    or `#N DONE 0.3s`, `#N ERROR: ...`; a job sent to a worker again
//    shows `#N retrying on another worker (attempt 2/3): worker lost`
//    before the output of its new run;
//  - tty (`auto` on a terminal): a live view redrawn in place, one line
//    per step with its state and time, the last lines of a running step's
//    output below it;
//  - quiet: nothing (`-q` prints the image ID only).
// A renderer is fed events in arrival order from one thread.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "protocol/build.pb.h"

namespace strata::cli {

class BuildProgress {
 public:
  virtual ~BuildProgress() = default;
  // `now_ms`: the client's monotonic clock, for durations and log stamps.
  virtual void OnEvent(const v1::BuildEvent& event, int64_t now_ms) = 0;
  // A line of the client's own work ("transferring context: 3 files").
  virtual void OnNote(const std::string& title, const std::string& detail, int64_t now_ms) = 0;
  // The build ended; `error` is empty on success. Draws the final state.
  virtual void Finish(const std::string& error, int64_t now_ms) = 0;
};

enum class ProgressMode { kAuto, kPlain, kTty, kQuiet };

// "auto", "plain", "tty", "quiet" (also "rawjson" is refused); anything
// else is InvalidArgument naming the choices. Returns false when unknown.
bool ParseProgressMode(const std::string& text, ProgressMode* mode);

// kAuto becomes kTty when `is_tty`, else kPlain.
std::unique_ptr<BuildProgress> NewBuildProgress(ProgressMode mode, bool is_tty, std::ostream& out);

// The step title BuildKit prints: "[stage i/n] RUN make", "[i/n] ..." when
// the stage has no name worth showing (a one-stage build).
std::string StepTitle(const std::string& stage, uint32_t step, uint32_t total,
                      const std::string& instruction);

// Seconds with one decimal, as BuildKit's "DONE 0.3s".
std::string FormatSeconds(int64_t ms);

// The monotonic clock in milliseconds: the `now_ms` the renderers take.
int64_t SteadyNowMs();

}  // namespace strata::cli
