#pragma once

// Which parsed Dockerfile flags strata carries out. The parser accepts every
// flag BuildKit's frontend knows (dockerfile/instructions.h); a flag whose
// effect strata does not implement yet must refuse the build instead of being
// dropped. docs/dockerfile-support.md lists the verdict for every flag.

#include "common/status.h"
#include "dockerfile/plan.h"

namespace strata::dockerfile {

// OK when strata carries out every flag of `step` (after expansion); else
// InvalidArgument without a location, e.g. "RUN --mount is not supported
// yet" (the caller prefixes "FILE:LINE: ").
Status CheckStepFlags(const BuildStep& step);

// OK when the steps of `stage` can run on `build_platform` (strata runs
// steps natively, without emulation): the stage's platform (FROM --platform,
// else the build's --platform) must be that platform. Else InvalidArgument
// "FROM --platform=linux/arm64 is not supported yet: ..." without a location.
Status CheckStagePlatform(const BuildStage& stage, const std::string& build_platform);

}  // namespace strata::dockerfile
