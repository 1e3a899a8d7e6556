#pragma once

// Applies Dockerfile metadata instructions to an image configuration, with
// Docker's meaning: the shared path of `image import --change`,
// `container commit --change` and the metadata steps of a build.

#include <string>
#include <vector>

#include "common/status.h"
#include "dockerfile/instructions.h"
#include "image/image_config.h"

namespace strata::coordinator {

// The configuration being built plus what Docker tracks beside it.
struct ConfigState {
  image::ImageConfig config;
  // CMD was set by this build (or change list) rather than inherited: an
  // ENTRYPOINT then keeps it; otherwise setting ENTRYPOINT clears an
  // inherited CMD (Dockerfile reference, "Understand how CMD and ENTRYPOINT
  // interact").
  bool cmd_set = false;
  // Whether instruction values still hold variables to expand against Env
  // (`--change` values do); a build's steps arrive expanded by the planner,
  // and expanding again would lose a literal `$` (`ENV A=\$HOME`).
  bool expand_values = true;
};

// Applies one metadata instruction (CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD
// STOPSIGNAL USER VOLUME WORKDIR SHELL HEALTHCHECK MAINTAINER ARG).
// Variables in ENV/LABEL/EXPOSE/... are expanded against the config's Env
// when state->expand_values is set.
// InvalidArgument for an instruction that changes files (RUN, COPY, ...).
Status ApplyMetadata(const dockerfile::Command& command, ConfigState* state);

// Parses each `--change` value as one Dockerfile instruction and applies it.
// Docker's import accepts CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD STOPSIGNAL
// USER VOLUME WORKDIR; anything else is InvalidArgument naming the change.
Status ApplyChanges(const std::vector<std::string>& changes, ConfigState* state);

}  // namespace strata::coordinator
