#include "coordinator/protocol_step_runner.h"

#include <set>
#include <utility>

#include "common/path_clean.h"
#include "coordinator/manifest_context.h"
#include "dockerfile/heredoc.h"

namespace strata::coordinator {
namespace {

v1::LayerRef ToLayerRef(const cache::LayerRecord& layer) {
  v1::LayerRef ref;
  ref.set_digest(layer.digest.ToString());
  ref.set_diff_id(layer.diff_id.ToString());
  ref.set_size(layer.size);
  ref.set_media_type(layer.media_type);
  return ref;
}

void AddContents(const std::vector<dockerfile::SourceContent>& contents, v1::CopySpec* copy) {
  for (const auto& c : contents) {
    v1::HereDoc* doc = copy->add_contents();
    doc->set_name(c.path);
    doc->set_content(c.data);
  }
}

std::string WorkdirOf(const std::string& previous, const std::string& path) {
  if (!path.empty() && path[0] == '/') return CleanPath(path);
  return CleanPath((previous.empty() ? std::string("/") : previous) + "/" + path);
}

// The command line BuildKit names in a failure: `/bin/sh -c false`.
std::string ShownCommand(const StepJob& job) {
  const auto* run = job.step.command.As<dockerfile::RunCommand>();
  if (run == nullptr) return job.step.text;
  std::string out;
  for (const std::string& word : CommandArgv(run->command, job.state.shell)) {
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

}  // namespace

Result<v1::Job> MakeJob(const StepJob& step_job, const std::string& job_id,
                        const std::string& build_id) {
  const dockerfile::Command& command = step_job.step.command;
  v1::Job job;
  job.set_job_id(job_id);
  job.set_build_id(build_id);
  job.set_instruction(step_job.step.text);
  job.set_cache_key(step_job.key.ToString());
  job.set_compression("gzip");
  for (const cache::LayerRecord& layer : step_job.parents) {
    *job.add_parents() = ToLayerRef(layer);
    job.add_parent_chain(layer.diff_id.ToString());
  }
  if (step_job.source_date_epoch) {
    job.set_has_source_date_epoch(true);
    job.set_source_date_epoch(*step_job.source_date_epoch);
  }
  v1::ExecState* state = job.mutable_state();
  for (const auto& [k, v] : step_job.state.env) state->add_env(k + "=" + v);  // sorted already
  state->set_user(step_job.state.user);
  state->set_workdir(step_job.state.workdir);
  for (const std::string& word : step_job.state.shell) state->add_shell(word);

  if (const auto* run = command.As<dockerfile::RunCommand>()) {
    job.set_kind(v1::Job::KIND_RUN);
    v1::RunSpec* spec = job.mutable_run();
    for (const std::string& arg : run->command.args) spec->add_args(arg);
    spec->set_prepend_shell(run->command.prepend_shell);
    for (const dockerfile::Heredoc& h : run->command.files) {
      v1::HereDoc* doc = spec->add_heredocs();
      doc->set_name(h.name);
      doc->set_content(h.chomp ? dockerfile::ChompHeredocContent(h.content) : h.content);
    }
    std::string network = run->network == dockerfile::NetworkMode::kNone ? "none" : "host";
    spec->set_network(network);
    state->set_network(network);
    return job;
  }
  auto add_context = [&](v1::CopySpec* copy) {
    for (const cache::InputEntry& e : step_job.inputs) {
      *copy->add_context() = ToContextEntry(e);
      if (e.type == cache::InputType::kRegular) {
        v1::InputRef* ref = job.add_inputs();
        ref->set_name(e.path);
        ref->set_digest(e.content.ToString());
      }
    }
  };
  if (const auto* copy = command.As<dockerfile::CopyCommand>()) {
    job.set_kind(v1::Job::KIND_COPY);
    v1::CopySpec* spec = job.mutable_copy();
    for (const std::string& s : copy->sources) spec->add_sources(s);
    AddContents(copy->contents, spec);
    spec->set_dest(copy->dest);
    spec->set_chown(copy->chown);
    spec->set_chmod(copy->chmod);
    spec->set_parents(copy->parents);
    if (!copy->from.empty()) {
      spec->set_from_layers(true);
      for (const cache::LayerRecord& layer : step_job.from_layers) {
        *spec->add_from_chain() = ToLayerRef(layer);
      }
    } else {
      add_context(spec);
    }
    return job;
  }
  if (const auto* add = command.As<dockerfile::AddCommand>()) {
    job.set_kind(v1::Job::KIND_ADD);
    v1::CopySpec* spec = job.mutable_copy();
    for (const std::string& s : add->sources) spec->add_sources(s);
    AddContents(add->contents, spec);
    spec->set_dest(add->dest);
    spec->set_chown(add->chown);
    spec->set_chmod(add->chmod);
    spec->set_unpack_archives(add->unpack.value_or(true));
    add_context(spec);
    return job;
  }
  if (const auto* workdir = command.As<dockerfile::WorkdirCommand>()) {
    job.set_kind(v1::Job::KIND_WORKDIR);
    state->set_workdir(WorkdirOf(step_job.state.workdir, workdir->path));
    return job;
  }
  return Status::InvalidArgument(step_job.step.text +
                                 ": makes no layer; it is not a job for a worker");
}

Status ProtocolStepRunner::EnsureContents(const StepJob& job, ContextUploader* uploader) {
  std::set<Digest> wanted;
  for (const cache::InputEntry& e : job.inputs) {
    if (e.type == cache::InputType::kRegular && !e.content.empty()) wanted.insert(e.content);
  }
  auto missing = [&]() -> Result<std::vector<Digest>> {
    std::vector<Digest> out;
    for (const Digest& d : wanted) {
      ASSIGN_OR_RETURN(bool has, blobs_.Has(d));
      if (!has) out.push_back(d);
    }
    return out;
  };
  ASSIGN_OR_RETURN(std::vector<Digest> absent, missing());
  if (absent.empty()) return Status::OK();
  if (uploader == nullptr) {
    return Status::NotFound("the contents of " + std::to_string(absent.size()) +
                            " context file(s) are not in the store and no client can upload them");
  }
  TRY(uploader->Upload(absent));
  ASSIGN_OR_RETURN(absent, missing());
  if (!absent.empty()) {
    return Status::NotFound("the client did not upload " + absent.front().ToString() + " (and " +
                            std::to_string(absent.size() - 1) +
                            " more) although it said it had; the build context changed?");
  }
  return Status::OK();
}

Result<StepOutcome> ProtocolStepRunner::Run(const StepJob& step_job, BuildScope& scope) {
  TRY(EnsureContents(step_job, scope.uploader()));
  TRY(scope.cancelled());
  std::string job_id = scope.id() + "-" + std::to_string(step_job.number);
  ASSIGN_OR_RETURN(v1::Job job, MakeJob(step_job, job_id, scope.id()));
  JobRunner::LogFn on_log;
  JobRunner::RetryFn on_retry;
  if (EventSink* events = scope.events()) {
    auto event = [&step_job](BuildEvent::Kind kind, std::string text) {
      BuildEvent e;
      e.kind = kind;
      e.stage = step_job.stage;
      e.index = step_job.number;
      e.total = step_job.total;
      e.text = std::move(text);
      return e;
    };
    on_log = [events, event](const v1::JobLog& log) {
      events->OnEvent(event(BuildEvent::Kind::kLog, log.line().data()));
    };
    // Under the step, before the output the new run replays.
    on_retry = [events, event](const JobRetry& retry) {
      BuildEvent e = event(BuildEvent::Kind::kRetry, retry.reason);
      e.attempt = retry.attempt;
      e.max_attempts = retry.max_attempts;
      events->OnEvent(e);
    };
  }
  ASSIGN_OR_RETURN(v1::JobResult result, jobs_.RunJob(std::move(job), std::move(on_log),
                                                      std::move(on_retry), &scope));
  if (result.has_error()) return protocol::StatusFromError(result.error());
  StepOutcome outcome;
  if (result.exit_code() != 0) {
    outcome.ok = false;
    outcome.exit_code = result.exit_code();
    outcome.message = !result.failure().empty()
                          ? result.failure()
                          : "process \"" + ShownCommand(step_job) +
                                "\" did not complete successfully: exit code: " +
                                std::to_string(result.exit_code());
    return outcome;
  }
  outcome.empty = result.empty_layer();
  if (!result.layer_digest().empty()) {
    ASSIGN_OR_RETURN(outcome.layer.digest, Digest::Parse(result.layer_digest()));
    ASSIGN_OR_RETURN(outcome.layer.diff_id, Digest::Parse(result.diff_id()));
    outcome.layer.size = result.size();
    outcome.layer.uncompressed_size = result.uncompressed_size();
    outcome.layer.media_type = result.media_type();
    ASSIGN_OR_RETURN(bool present, blobs_.Has(outcome.layer.digest));
    if (!present) {
      return Status::Internal("the worker reported layer " + result.layer_digest() + " for job " +
                              result.job_id() + " but never uploaded it")
          .WithRetryable(true);
    }
  } else if (!outcome.empty) {
    return Status::Internal("the worker's result for job " + result.job_id() +
                            " names no layer and is not empty");
  }
  return outcome;
}

}  // namespace strata::coordinator
