#pragma once

// What a PlanRun keeps per stage while it builds, and the small rules it
// applies per step (the exec state a RUN sees, the ARGs in scope, the base
// config of FROM scratch, which stage a --from names). Internal to
// coordinator/plan_run.cc.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cache/records.h"
#include "coordinator/build_step_key.h"
#include "coordinator/config_apply.h"
#include "dockerfile/plan.h"
#include "image/image_config.h"

namespace strata::coordinator {

// A stage as far as it has been built.
struct StageState {
  Digest key;
  ConfigState config{{}, false, /*expand_values=*/false};  // steps arrive expanded
  std::vector<cache::LayerRecord> layers;
  std::vector<std::pair<std::string, std::string>> args;  // ARGs with a value, in scope
  int64_t newest_entry_nanos = 0;                         // newest cache entry on the chain
  int64_t base_created_nanos = 0;                         // created time of the base image
};

// "FILE:LINE: ".
std::string Location(const dockerfile::BuildPlan& plan, int line);

// What a RUN sees: image ENV, then ARG values in scope, then the proxy
// build args (ENV wins), user, workdir ("/" when unset), shell.
ExecState ExecStateOf(const StageState& s, const dockerfile::BuildPlan& plan);

// Records the ARG values `step` sets (its "BuildArg" changes) in `s`.
void RecordArgs(const dockerfile::BuildStep& step, StageState* s);

// Sets os/architecture[/variant] of `config` from "os/arch[/variant]".
void SetPlatform(const std::string& platform, image::ImageConfig* config);

// The config of `FROM scratch` as BuildKit makes it: Env holds only
// dockerfile::kScratchPathEnv, WorkingDir is "/".
void SetScratchConfig(image::ImageConfig* config);

// --from=N or --from=NAME naming a stage: its index; -1 for an image.
int FindStage(const dockerfile::BuildPlan& plan, const std::string& from);

}  // namespace strata::coordinator
