#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/compression.h"
#include "sandbox/runtime.h"
#include "snapshot/layer_diff.h"
#include "snapshot/snapshotter.h"
#include "worker/copy_step.h"

namespace strata::worker {

enum class StepKind {
  kRun,      // RUN: a command in a container over the parent chain
  kCopy,     // COPY
  kAdd,      // ADD (COPY plus local tar extraction)
  kWorkdir,  // WORKDIR: create the directory (owned by the USER)
};

// A RUN command as the front end typed it (dockerfile::CommandLine), after
// variable expansion.
struct RunStep {
  // Exec form: the argv. Shell form: one string, the command line.
  std::vector<std::string> args;
  bool prepend_shell = true;                           // shell form
  std::vector<std::string> shell = {"/bin/sh", "-c"};  // the stage's SHELL
  // RUN <<EOF here-documents, in order, content expanded and chomped. Run
  // as BuildKit does: a command line that is only one heredoc runs its
  // body with the shell (`sh -c <body>`), or, when the body starts with
  // "#!", as an executable file mounted read-only at /dev/pipes/<name>;
  // any other command line gets the bodies appended ("cmd <<EOF\n" body
  // "EOF") for the shell to feed them.
  std::vector<InlineFile> heredocs;
  sandbox::NetworkMode network =
      sandbox::NetworkMode::kHost;       // Dockerfile default = host, as BuildKit
  std::chrono::milliseconds timeout{0};  // zero: no limit
};

// One build step for this worker. The state fields (env, user, workdir)
// are the stage's at this step, resolved by the front end.
struct StepRequest {
  // The parent layers, "sha256:<diff_id hex>", base first (rootfs.diff_ids).
  // REQUIRES: each is unpacked in the snapshotter (EnsureLayer).
  std::vector<std::string> parent_chain;
  StepKind kind = StepKind::kRun;
  std::vector<std::string> env;  // "KEY=value"; RUN only
  std::string user;              // USER, resolved in the mounted rootfs; "" = root
  std::string workdir = "/";     // absolute; created when missing
  RunStep run;                   // kRun
  CopyStep copy;                 // kCopy, kAdd
  // Clamp layer mtimes to this (and date what the step creates with it).
  std::optional<int64_t> source_date_epoch;
  const std::atomic<bool>* cancel = nullptr;  // RUN: stop when it becomes true
};

struct StepResult {
  // RUN: the command's exit status. Non-zero means the step failed: no
  // layer, and `error` holds BuildKit's message.
  int exit_code = 0;
  std::string error;
  std::string output_tail;  // the last bytes of stdout+stderr (RUN), for error reports
  // The step's layer (when exit_code is 0), a file under the executor's
  // layer_dir that the caller takes over. Always produced, also when the
  // step changed nothing (`layer.empty`): the image assembler decides, as
  // BuildKit's exporter does, to drop an empty layer and mark the history
  // entry empty_layer.
  snapshot::LayerBlob layer;
  std::chrono::milliseconds run_time{0};   // RUN in the container / COPY applying
  std::chrono::milliseconds diff_time{0};  // upper dir -> compressed blob
  // The step failed while the worker's file system had no room left
  // (kMinFreeBytes): likely the machine's fault, not the step's.
  bool disk_full = false;
  bool ok() const { return exit_code == 0; }
};

// Below this much free space under its root a worker counts as full.
inline constexpr uint64_t kMinFreeBytes = 16 << 20;

struct StepExecutorOptions {
  std::string layer_dir;  // absolute; where layer blobs are written; created if missing
  std::string temp_dir;   // absolute; scratch (heredoc scripts); created if missing
  image::Compression compression = image::Compression::kGzip;
  size_t output_tail_bytes = 4096;
};

// Runs build steps: mounts the parent chain with the snapshotter, applies
// the instruction (a container for RUN, file copies into the mounted
// rootfs for COPY/ADD/WORKDIR, so whiteouts and the image's users work),
// and turns the mount's upper directory into a minimal, reproducible layer
// (UpperDirChanges + WriteLayerBlob). Thread-safe when the snapshotter and
// runtime are; each Execute uses its own mount.
class StepExecutor {
 public:
  // Not owned; must outlive the executor.
  StepExecutor(snapshot::Snapshotter* snapshotter, sandbox::Runtime* runtime,
               StepExecutorOptions options);

  // Errors (Status): the request is invalid or a user error (missing COPY
  // source, unknown user: InvalidArgument/NotFound, message for the user),
  // or the worker failed (IOError, Internal...; the step may be retried).
  // A RUN command that exits non-zero is a StepResult with exit_code set.
  // Output of RUN streams to `out` (may be null).
  Result<StepResult> Execute(const StepRequest& request, sandbox::OutputSink* out);

 private:
  Result<StepResult> ExecuteIn(const StepRequest& request, const snapshot::Mount& mount,
                               sandbox::OutputSink* out);
  Result<StepResult> Run(const StepRequest& request, const snapshot::Mount& mount,
                         sandbox::OutputSink* out);

  snapshot::Snapshotter* snapshotter_;
  sandbox::Runtime* runtime_;
  StepExecutorOptions options_;
};

// The argv a RUN step runs (heredoc rules above; shell prepended for the
// shell form). When the command is a "#!" heredoc, `script` receives the
// file to mount at /dev/pipes/<name>.
Result<std::vector<std::string>> RunArgv(const RunStep& run, std::optional<InlineFile>* script);

}  // namespace strata::worker
