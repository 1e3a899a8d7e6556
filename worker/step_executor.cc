#include "worker/step_executor.h"

#include <unistd.h>

#include <cctype>
#include <chrono>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/free_space.h"
#include "common/logging.h"
#include "sandbox/root_writer.h"
#include "sandbox/user_resolver.h"
#include "common/random_hex.h"

namespace strata::worker {
namespace {

// Makes a step's upper directory the snapshot of its layer instead of
// unpacking the blob again when a later step stacks on it. Only for steps
// that ran no container (COPY, ADD, WORKDIR): their upper dir is the layer
// in overlay form (whiteouts as 0/0 devices, opaque xattrs) plus the
// directories overlay copied up unchanged, which change nothing when
// stacked; a RUN's upper dir also holds the runtime's mount-point stubs.
class UpperDirAdopter : public snapshot::LayerUnpacker {
 public:
  explicit UpperDirAdopter(std::string upper) : upper_(std::move(upper)) {}
  Status Unpack(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return ErrnoStatus("rmdir", dir);
    if (::rename(upper_.c_str(), dir.c_str()) != 0)
      return ErrnoStatus("rename " + upper_ + " to", dir);
    return Status::OK();
  }

 private:
  std::string upper_;
};

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// Whether `line` is exactly one heredoc word `[n]<<[-]WORD` (WORD maybe
// quoted) naming `name`: BuildKit's "simple heredoc" case.
bool IsOnlyHeredoc(std::string_view line, const std::string& name) {
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
    line.remove_prefix(1);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
    line.remove_suffix(1);
  while (!line.empty() && std::isdigit(static_cast<unsigned char>(line.front())))
    line.remove_prefix(1);
  if (line.substr(0, 2) != "<<") return false;
  line.remove_prefix(2);
  if (!line.empty() && line.front() == '-') line.remove_prefix(1);
  for (char c : line) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  if (line.size() >= 2 && (line.front() == '\'' || line.front() == '"') &&
      line.back() == line.front()) {
    line = line.substr(1, line.size() - 2);
  }
  return line == name;
}

// Forwards output and keeps its last `limit` bytes.
class TailSink : public sandbox::OutputSink {
 public:
  TailSink(sandbox::OutputSink* next, size_t limit) : next_(next), limit_(limit) {}
  void Write(sandbox::OutputStream stream, std::string_view data) override {
    if (next_ != nullptr) next_->Write(stream, data);
    tail_.append(data);
    if (tail_.size() > 2 * limit_) tail_.erase(0, tail_.size() - limit_);
  }
  std::string tail() const {
    return tail_.size() > limit_ ? tail_.substr(tail_.size() - limit_) : tail_;
  }

 private:
  sandbox::OutputSink* next_;
  size_t limit_;
  std::string tail_;
};

std::string Quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return "\"" + out + "\"";
}

}  // namespace

Result<std::vector<std::string>> RunArgv(const RunStep& run, std::optional<InlineFile>* script) {
  script->reset();
  std::vector<std::string> args = run.args;
  if (!run.heredocs.empty()) {
    if (args.size() != 1 || !run.prepend_shell) {
      return Status::InvalidArgument("RUN with here-documents must be in shell form");
    }
    const InlineFile& first = run.heredocs.front();
    if (IsOnlyHeredoc(args[0], first.name)) {
      if (first.content.rfind("#!", 0) == 0) {
        *script = first;
        args = {"/dev/pipes/" + first.name};
      } else {
        args = {first.content};
      }
    } else {
      std::string full = args[0];
      for (const InlineFile& f : run.heredocs) {
        full += "\n" + f.content;
        if (!f.content.empty() && f.content.back() != '\n') full += "\n";
        full += f.name;
      }
      args = {full};
    }
  }
  if (args.empty()) return Status::InvalidArgument("RUN has no command");
  if (run.prepend_shell) {
    if (run.shell.empty()) return Status::InvalidArgument("RUN in shell form with an empty SHELL");
    std::vector<std::string> with_shell = run.shell;
    with_shell.insert(with_shell.end(), args.begin(), args.end());
    args = std::move(with_shell);
  }
  return args;
}

StepExecutor::StepExecutor(snapshot::Snapshotter* snapshotter, sandbox::Runtime* runtime,
                           StepExecutorOptions options)
    : snapshotter_(snapshotter), runtime_(runtime), options_(std::move(options)) {}

Result<StepResult> StepExecutor::Execute(const StepRequest& request, sandbox::OutputSink* out) {
  if (request.workdir.empty() || request.workdir.front() != '/') {
    return Status::InvalidArgument("step workdir \"" + request.workdir + "\" is not absolute");
  }
  TRY(MakeDirs(options_.layer_dir, 0755));
  TRY(MakeDirs(options_.temp_dir, 0755));
  ASSIGN_OR_RETURN(snapshot::Mount mount,
                   snapshotter_->Prepare(request.parent_chain, "step-" + RandomHex(12)));
  Result<StepResult> result = ExecuteIn(request, mount, out);
  if (!result.ok() || !result->ok()) {
    // Measured before the upper dir goes, which frees what the step wrote.
    Status room = RequireFreeSpace(mount.upper_dir, kMinFreeBytes, "the next step");
    if (!room.ok()) {
      LOG(WARN) << "step failed on a full disk: " << room.message();
      if (result.ok()) {
        result->disk_full = true;
      } else {
        result = Status::IOError(result.status().message() + " (" + room.message() + ")")
                     .WithRetryable(true);
      }
    }
  }
  // Whatever ExecuteIn kept (the upper dir after diffing) goes now.
  Status released = snapshotter_->Release(mount, snapshot::Keep::kNothing);
  if (!result.ok()) return result;
  TRY(released);
  return result;
}

Result<StepResult> StepExecutor::ExecuteIn(const StepRequest& request, const snapshot::Mount& mount,
                                           sandbox::OutputSink* out) {
  StepResult result;
  Clock::time_point start = Clock::now();
  switch (request.kind) {
    case StepKind::kRun: {
      ASSIGN_OR_RETURN(result, Run(request, mount, out));
      if (!result.ok()) return result;
      break;
    }
    case StepKind::kCopy:
    case StepKind::kAdd: {
      CopyStep copy = request.copy;
      copy.unpack_archives = copy.unpack_archives && request.kind == StepKind::kAdd;
      TRY(ApplyCopy(copy, mount.target, request.workdir, request.source_date_epoch));
      break;
    }
    case StepKind::kWorkdir: {
      // BuildKit's mkdir for WORKDIR resolves USER as a file op does.
      ASSIGN_OR_RETURN(auto owner, sandbox::ResolveFileOwner(mount.target, request.user));
      TRY(sandbox::MakeDirInRoot(mount.target, request.workdir, owner.first, owner.second,
                                 request.source_date_epoch));
      break;
    }
  }
  result.run_time = Since(start);

  start = Clock::now();
  TRY(snapshotter_->Release(mount, snapshot::Keep::kUpper));
  ASSIGN_OR_RETURN(std::vector<image::LayerEntry> changes,
                   snapshot::UpperDirChanges(mount.upper_dir, mount.lower_dirs));
  ASSIGN_OR_RETURN(result.layer,
                   snapshot::WriteLayerBlob(std::move(changes), options_.layer_dir,
                                            options_.compression, request.source_date_epoch));
  if (request.kind != StepKind::kRun && !result.layer.empty) {
    UpperDirAdopter adopter(mount.upper_dir);
    Status adopted = snapshotter_->EnsureLayer(result.layer.diff_id.ToString(), adopter);
    // Not fatal: a later step unpacks the blob instead.
    if (!adopted.ok())
      LOG(WARN) << "snapshot of " << result.layer.diff_id.ToString() << ": " << adopted.message();
  }
  result.diff_time = Since(start);
  return result;
}

Result<StepResult> StepExecutor::Run(const StepRequest& request, const snapshot::Mount& mount,
                                     sandbox::OutputSink* out) {
  std::optional<InlineFile> script;
  ASSIGN_OR_RETURN(std::vector<std::string> argv, RunArgv(request.run, &script));
  ASSIGN_OR_RETURN(sandbox::ResolvedUser user, sandbox::ResolveUser(mount.target, request.user));
  TRY(sandbox::MakeDirInRoot(mount.target, request.workdir, user.uid, user.gid,
                             request.source_date_epoch));

  sandbox::RunSpec spec;
  spec.rootfs = mount.target;
  spec.args = argv;
  spec.env = request.env;
  spec.cwd = request.workdir;
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.additional_gids = user.additional_gids;
  spec.network = request.run.network;
  spec.timeout = request.run.timeout;
  spec.cancel = request.cancel;

  std::string script_dir;
  if (script) {
    script_dir = options_.temp_dir + "/run-" + RandomHex(12);
    TRY(MakeDirs(script_dir, 0700));
    std::string path = script_dir + "/" + script->name;
    Status written = WriteFile(path, script->content, 0755);
    if (!written.ok()) {
      RemoveTree(script_dir).PermitUncheckedError();
      return written;
    }
    spec.mounts.push_back(
        sandbox::BindMount{path, "/dev/pipes/" + script->name, /*readonly=*/true});
  }
  TailSink tail(out, options_.output_tail_bytes);
  Result<sandbox::RunResult> ran = runtime_->Run(spec, &tail);
  if (!script_dir.empty()) RemoveTree(script_dir).PermitUncheckedError();
  if (!ran.ok()) return ran.status();

  StepResult result;
  result.exit_code = ran->exit_code;
  result.output_tail = tail.tail();
  if (ran->exit_code != 0) {
    result.error = "process " + Quoted(argv) +
                   " did not complete successfully: exit code: " + std::to_string(ran->exit_code);
  }
  return result;
}

}  // namespace strata::worker
