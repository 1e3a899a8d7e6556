#pragma once

// The StepRunner of real builds: each filesystem step becomes a v1::Job
// (docs/protocol.md "Builds and workers") run by a worker through the
// WorkerPool. Before a COPY/ADD reads context files whose contents the
// store lacks, it asks the build's own client for them (the scope's
// ContextUploader).

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "coordinator/build_scope.h"
#include "coordinator/build_step_runner.h"
#include "coordinator/worker_pool.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

// The Job of `job` (pure). `job_id` and `build_id` are copied in.
//  - RUN: run.args/prepend_shell as written, heredocs (chomped for `<<-`),
//    network "none" or "host".
//  - COPY/ADD: sources, heredoc contents, dest, chown, chmod; ADD unpacks
//    archives unless --unpack=false; --from: from_layers + from_chain;
//    otherwise context = the selected entries (StepJob::inputs).
//  - WORKDIR: state.workdir = the new directory, resolved against the
//    previous workdir and cleaned.
// InvalidArgument for a step that makes no layer.
Result<v1::Job> MakeJob(const StepJob& job, const std::string& job_id, const std::string& build_id);

// Thread-safe: stages of one build, and several builds, run steps at once
// on the one runner a BuildRunner holds; each call carries its build.
class ProtocolStepRunner : public StepRunner {
 public:
  // REQUIRES: both outlive the runner.
  ProtocolStepRunner(JobRunner& jobs, cache::BlobStore& blobs) : jobs_(jobs), blobs_(blobs) {}

  // The job's id is `<scope id>-<step number>` (the pool adds
  // `-<attempt>`); scope ids never repeat across coordinator restarts, so
  // a late result from before one cannot name a job of after it. Missing
  // context contents come from scope.uploader() (none: the step fails).
  // Outcomes: success (layer in the store) -> ok; RUN exit != 0 -> ok=false
  // with BuildKit's message; a job error -> its Status (code and message as
  // the worker sent them); a layer the worker reported but the store lacks
  // -> Internal; the scope cancelled -> its reason.
  Result<StepOutcome> Run(const StepJob& job, BuildScope& scope) override;

 private:
  Status EnsureContents(const StepJob& job, ContextUploader* uploader);

  JobRunner& jobs_;
  cache::BlobStore& blobs_;
};

}  // namespace strata::coordinator
