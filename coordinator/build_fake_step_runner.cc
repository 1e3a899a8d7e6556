#include "coordinator/build_fake_step_runner.h"

#include <chrono>
#include <stdexcept>

#include "coordinator/blob_sink.h"
#include "image/layer.h"

namespace strata::coordinator {

Result<StepOutcome> FakeStepRunner::Run(const StepJob& job, BuildScope& scope) {
  std::string needle;
  std::string throw_needle;
  std::string hold_needle;
  {
    MutexLock lock(mu_);
    jobs_.push_back(job);
    needle = fail_needle_;
    throw_needle = throw_needle_;
    hold_needle = hold_needle_;
  }
  if (!hold_needle.empty() && job.step.text.find(hold_needle) != std::string::npos) {
    std::unique_ptr<BuildScope::Hook> hook = scope.OnCancel([this](const Status&) {
      MutexLock lock(mu_);
      cancelled_.NotifyAll();
    });
    MutexLock lock(mu_);
    ++holding_;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (scope.cancelled().ok()) {
      if (!cancelled_.WaitUntil(mu_, deadline)) break;
    }
    --holding_;
    if (scope.cancelled().ok()) return Status::TimedOut("held for 10 s and never cancelled");
    ++holds_cancelled_;
    return scope.cancelled();
  }
  if (!throw_needle.empty() && job.step.text.find(throw_needle) != std::string::npos) {
    throw std::out_of_range("stoi");
  }
  StepOutcome outcome;
  if (!needle.empty() && job.step.text.find(needle) != std::string::npos) {
    outcome.ok = false;
    outcome.exit_code = 1;
    outcome.message =
        "process \"" + job.step.text + "\" did not complete successfully: exit code: 1";
    return outcome;
  }
  if (EventSink* events = scope.events()) {
    BuildEvent log;
    log.kind = BuildEvent::Kind::kLog;
    log.stage = job.stage;
    log.index = job.number;
    log.total = job.total;
    log.text = "ran " + job.step.text;
    events->OnEvent(log);
  }
  std::vector<image::LayerEntry> entries;
  outcome.empty = job.step.command.As<dockerfile::WorkdirCommand>() != nullptr;
  if (!outcome.empty) {
    image::LayerEntry file;
    file.path = "step-" + job.key.hex().substr(0, 12);
    file.content = job.step.text;
    file.size = job.step.text.size();
    entries.push_back(file);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobWriter> writer, blobs_.Create());
  BlobWriterSink sink(writer.get());
  ASSIGN_OR_RETURN(image::LayerResult layer,
                   image::WriteLayer(image::LayerSource::FromEntries(std::move(entries)),
                                     image::Compression::kGzip, &sink));
  ASSIGN_OR_RETURN(Digest stored, writer->Commit(layer.blob_digest));
  outcome.layer = {stored, layer.diff_id, layer.blob_size,
                   std::string(image::LayerMediaType(image::Compression::kGzip))};
  return outcome;
}

}  // namespace strata::coordinator
