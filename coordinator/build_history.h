#pragma once

// The created_by of a step's history entry in the image config, as BuildKit
// writes it (docs/image-commands.md). Internal to
// coordinator/plan_run.cc.

#include <optional>
#include <string>

#include "coordinator/build_stage_state.h"
#include "coordinator/build_step_key.h"
#include "dockerfile/plan.h"

namespace strata::coordinator {

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

}  // namespace strata::coordinator
