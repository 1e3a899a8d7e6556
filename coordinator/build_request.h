#pragma once

// How a client's SubmitBuild becomes what the planner and the BuildRunner
// take (docs/protocol.md "Builds and workers"), and how a finished build
// becomes its BuildResult.

#include <optional>
#include <string>

#include "cache/store.h"
#include "common/result.h"
#include "coordinator/build_runner.h"
#include "dockerfile/plan.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

// The file name ("Dockerfile" when unnamed), build args, target and
// platform of `request`; base images are looked up in `store`.
// REQUIRES: store outlives the options.
dockerfile::PlanOptions PlanOptionsOf(const v1::SubmitBuild& request, cache::Store& store);

// The cache switches, tags (normalised; InvalidArgument naming a malformed
// one), SOURCE_DATE_EPOCH and labels of `request`.
Result<BuildOptions> BuildOptionsOf(const v1::SubmitBuild& request);

// The ENV/WORKDIR/SHELL of a FROM image for the planner; nullopt when the
// store has no such image (the runner then reports it at its line).
std::optional<dockerfile::BaseImageScope> BaseImageScopeOf(cache::Store& store,
                                                           const std::string& name);

// The BuildResult of a successful build: image id, manifest digest, the
// requested tags as written, steps cached and run.
void FillBuildResult(const BuildResult& result, const v1::SubmitBuild& request,
                     v1::BuildResult* out);

}  // namespace strata::coordinator
