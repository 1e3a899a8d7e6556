#pragma once

// The human-readable build plan printed by `strata dockerfile plan FILE`.
//
// Format (stable; one item per line, two-space indent inside a stage):
//
//   plan Dockerfile
//   platforms: build linux/amd64, target linux/amd64
//   target: stage 2 app
//   stage 0 build: needed
//     base: image golang:1.22
//     platform: linux/amd64
//     depends-on: none
//     images: alpine:3                        (only when COPY/RUN --mount name images)
//     onbuild: RUN make                        (one per ONBUILD trigger it records)
//     1: FROM golang:1.22 AS build
//     2: WORKDIR /src
//     4-6: RUN <<EOF                           (first-last line when it spans lines)
//   stage 1 stage-1: pruned
//     base: stage 0 build
//     ...
//     7: [onbuild] RUN make                    (trigger inherited from the base stage)
//   unused build-args: FOO, BAR                (only when there are any)
//   proxy build-args: HTTP_PROXY               (only when there are any)
//   warning: Dockerfile:9: ...                 (one per warning)
//
// A stage is "needed" (the target or one it depends on), "needed, target",
// or "pruned". Base is "scratch", "image REF" or "stage N NAME". Steps are
// the instructions after variable expansion; newlines inside a step print
// as "\n" so that each step stays on one line.

#include <string>

#include "dockerfile/plan.h"

namespace strata::dockerfile {

std::string FormatPlan(const BuildPlan& plan);

}  // namespace strata::dockerfile
