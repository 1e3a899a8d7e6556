#pragma once

#include <string>

#include "common/result.h"
#include "image/compression.h"
#include "protocol/worker.pb.h"
#include "worker/step_executor.h"

namespace strata::worker {

// Translates a coordinator's Job (protocol/worker.proto) into the
// StepRequest the StepExecutor runs. Pure: no I/O.
//
//  - parent_chain: the diff_ids of `parents` (base first); a Job whose
//    parent_chain disagrees with its parents is refused.
//  - RUN: run.args/prepend_shell/heredocs; the shell is state.shell (the
//    stage's SHELL; /bin/sh -c when empty); network from run.network, else
//    state.network ("host" when both are empty, "none" or "host" only);
//    env/user/workdir from state.
//  - COPY/ADD: the CopySpec with `source_root` (REQUIRES: non-empty, the
//    materialized context or the mounted --from rootfs, chosen by the
//    caller); preserve_owner for --from (from_layers); unpack_archives for
//    ADD only.
//  - WORKDIR: state.workdir is the absolute directory to create, owned by
//    state.user.
// Everything a Job can get wrong (no kind, no command, a relative workdir,
// an unknown network or compression...) is InvalidArgument naming the job.
Result<StepRequest> StepRequestFromJob(const v1::Job& job, const std::string& source_root);

// The compression the job asks for its layer: "gzip" (or empty), "zstd",
// "none". InvalidArgument otherwise.
Result<image::Compression> JobCompression(const v1::Job& job);

}  // namespace strata::worker
