#pragma once

// The ONBUILD triggers of a base image (its config's OnBuild list) as the
// steps a stage built FROM that image runs before its own instructions, as
// Docker and BuildKit do. Triggers inherited from a base *stage* are planned
// by the planner itself (BuildStep::from_onbuild); the triggers of an image
// are only known once the image is resolved, so the builder expands them
// with this.

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "dockerfile/plan.h"

namespace strata::dockerfile {

// What a trigger's expansion sees: the stage's state at its FROM line.
struct TriggerScope {
  std::vector<std::string> env;                        // the base image's Env, "K=V"
  std::string workdir = "/";                           // its WorkingDir ("" = "/")
  std::vector<std::string> shell = {"/bin/sh", "-c"};  // its Shell
  std::map<std::string, std::string> build_args;       // --build-arg values (for ONBUILD ARG)
  std::map<std::string, std::string> global_args;      // resolved global ARGs (ARG NAME takes them)
  char escape = '\\';
};

// Parses each trigger (the text after ONBUILD, e.g. "RUN make") as one
// Dockerfile instruction and expands it in order, each seeing the effect of
// the ones before (ENV, ARG, WORKDIR, SHELL). The steps come back with
// from_onbuild set and start_line/end_line = `from_line`.
// InvalidArgument, without a location, for a trigger that is not exactly one
// instruction, or is ONBUILD ("Chaining ONBUILD via `ONBUILD ONBUILD` isn't
// allowed"), FROM or MAINTAINER ("FROM isn't allowed as an ONBUILD
// trigger"), or fails to parse or expand; the message names the trigger.
Result<std::vector<BuildStep>> ExpandOnbuildTriggers(const std::vector<std::string>& triggers,
                                                     const TriggerScope& scope, int from_line);

}  // namespace strata::dockerfile
