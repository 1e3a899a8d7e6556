#pragma once

#include "cli/cli_context.h"
#include "common/options.h"

namespace strata::cli {

// `strata build` (also `strata image build`) with docker build's flags:
// -t, -f (a path anywhere, or - for stdin), a context directory or - for a
// tar on stdin, --build-arg, --target, --label, --no-cache,
// --no-cache-filter, --cache-debug, --iidfile, --output type=oci|docker,
// --progress auto|plain|tty|quiet, -q, --platform. The context is scanned
// with .dockerignore and the stat cache; only the files the coordinator
// asks for (contents its store lacks, for steps that run) are uploaded.
void AddBuildCommand(CLI::App& app, CliContext& ctx);

}  // namespace strata::cli
