#pragma once

// What BuildRunner keeps per stage while it builds, and the small rules it
// applies per step (the exec state a RUN sees, BuildKit's history
// created_by, reading and writing a step's cache entry). Internal to coordinator/build_runner.cc.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cache/records.h"
#include "cache/store.h"
#include "common/result.h"
#include "coordinator/build_step_key.h"
#include "coordinator/build_step_runner.h"
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

// BuildKit's created_by: "RUN |1 V=x /bin/sh -c make # buildkit",
// "COPY a b /dst # buildkit", metadata steps as written.
std::string CreatedBy(const dockerfile::BuildStep& step, const StageState& s,
                      const ExecState& state);

// BuildKit's created_by of a metadata step (and WORKDIR), from the stage
// after the step applied: `CMD ["/bin/sh" "-c" "x"]` (Go's %q of the final
// argv), `ENTRYPOINT [...]`, `ENV K=V`, `LABEL k=v`, `EXPOSE map[80/tcp:{}]`,
// `USER u`, `VOLUME [/a /b]`, `SHELL [/bin/sh -c]`, `STOPSIGNAL s`,
// `WORKDIR /abs`, `ARG K=V`, `MAINTAINER m`; nullopt for ONBUILD (BuildKit
// records no history for it); the step's text otherwise.
std::optional<std::string> MetadataCreatedBy(const dockerfile::BuildStep& step,
                                             const StageState& after);

// Sets os/architecture[/variant] of `config` from "os/arch[/variant]".
void SetPlatform(const std::string& platform, image::ImageConfig* config);

// The config of `FROM scratch` as BuildKit makes it: Env holds only
// dockerfile::kScratchPathEnv, WorkingDir is "/".
void SetScratchConfig(image::ImageConfig* config);

// --from=N or --from=NAME naming a stage: its index; -1 for an image.
int FindStage(const dockerfile::BuildPlan& plan, const std::string& from);

// CacheEntry::metadata: {"v":1,"empty":BOOL}.
std::string EntryMetadata(bool empty);
bool EntryIsEmpty(const cache::CacheEntry& entry);

// The entry of `key` for namespace `ns`, else a shared one; absent when its
// layer blob is gone (a miss).
Result<std::optional<cache::CacheEntry>> LookupStepEntry(cache::Store& store, const Digest& key,
                                                         const std::string& ns);

// Verifies the step's layer blob, then writes its cache entry (created at
// `now_nanos`) for `ns`.
Result<cache::CacheEntry> RecordStepEntry(cache::Store& store, const Digest& key,
                                          const std::string& ns, const StepOutcome& outcome,
                                          int64_t now_nanos);

}  // namespace strata::coordinator
