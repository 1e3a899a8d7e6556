#pragma once

// The StepRunner of real builds: each filesystem step becomes a v1::Job
// (docs/protocol.md "Builds and workers") run by a worker through the
// WorkerPool. Before a COPY/ADD reads context files whose contents the
// store lacks, it asks the build's client for them (ContextUploader).

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "coordinator/build_step_runner.h"
#include "coordinator/worker_pool.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

// Brings context file contents into the store; the build session
// implements it over MissingBlobs / BlobPut / ContextUploaded.
class ContextUploader {
 public:
  virtual ~ContextUploader() = default;
  // Returns once the client says it uploaded `digests` (or fails: client
  // gone, upload corrupt, build cancelled). Thread-safe.
  virtual Status Upload(const std::vector<Digest>& digests) = 0;
};

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

// Thread-safe: stages of one build, and several builds, may run steps at
// once. One runner serves all builds (a BuildRunner holds one StepRunner),
// so its ContextUploader must find a client that has the contents (the
// BuildService asks a running build whose manifest lists them).
class ProtocolStepRunner : public StepRunner {
 public:
  // REQUIRES: all outlive the runner. `uploader` may be null (then missing
  // contents fail the step). Job ids are `build_id`-R-N, R drawn at random
  // for this runner: ids never repeat across coordinator restarts, so a
  // late result from before one cannot name a job of after it.
  ProtocolStepRunner(JobRunner& jobs, cache::BlobStore& blobs, ContextUploader* uploader,
                     std::string build_id);

  // Outcomes: success (layer in the store) -> ok; RUN exit != 0 -> ok=false
  // with BuildKit's message; a job error -> its Status (code and message as
  // the worker sent them); a layer the worker reported but the store lacks
  // -> Internal.
  Result<StepOutcome> Run(const StepJob& job, EventSink* events) override;

 private:
  Status EnsureContents(const StepJob& job, ContextUploader* uploader);

  JobRunner& jobs_;
  cache::BlobStore& blobs_;
  ContextUploader* uploader_;
  const std::string build_id_;
  const std::string job_prefix_;  // build_id-R-
  std::atomic<uint64_t> next_job_{0};
};

}  // namespace strata::coordinator
