#include "coordinator/build_session.h"

#include <algorithm>

namespace strata::coordinator {

using protocol::Envelope;

void BuildSession::OnEvent(const BuildEvent& e) {
  Envelope envelope = protocol::NewEnvelope(request_id_);
  v1::BuildEvent* out = envelope.mutable_build_event();
  out->set_build_id(build_id_);
  out->set_step(static_cast<uint32_t>(std::max(0, e.index)));
  out->set_total_steps(static_cast<uint32_t>(std::max(0, e.total)));
  out->set_time_unix_ms(clock_.NowUnixNanos() / 1'000'000);
  switch (e.kind) {
    case BuildEvent::Kind::kStarted:
      out->mutable_started()->set_instruction(e.text);
      out->mutable_started()->set_stage(e.stage);
      break;
    case BuildEvent::Kind::kCached:
      out->mutable_cached()->set_instruction(e.text);
      out->mutable_cached()->set_stage(e.stage);
      break;
    case BuildEvent::Kind::kLog:
      out->mutable_log()->set_stream(v1::LogLine::STREAM_STDOUT);
      out->mutable_log()->set_data(e.text);
      break;
    case BuildEvent::Kind::kDone:
      out->mutable_done()->set_instruction(e.text);
      out->mutable_done()->set_stage(e.stage);
      out->mutable_done()->set_duration_ms(e.duration_nanos / 1'000'000);
      out->mutable_done()->set_duration_us(e.duration_nanos / 1'000);
      break;
    case BuildEvent::Kind::kError:
      out->mutable_error()->set_code(static_cast<int>(StatusCode::kInternal));
      out->mutable_error()->set_message(e.text);
      break;
    case BuildEvent::Kind::kRetry:
      out->mutable_retry()->set_attempt(static_cast<uint32_t>(std::max(0, e.attempt)));
      out->mutable_retry()->set_max_attempts(static_cast<uint32_t>(std::max(0, e.max_attempts)));
      out->mutable_retry()->set_reason(e.text);
      break;
  }
  Send(std::move(envelope));
}

Status BuildSession::Upload(const std::vector<Digest>& digests) {
  MutexLock round(round_mu_);
  std::unique_ptr<BuildScope::Hook> hook = scope_.OnCancel([this](const Status&) {
    MutexLock lock(mu_);
    changed_.NotifyAll();
  });
  MutexLock lock(mu_);
  if (Status cancelled = scope_.cancelled(); !cancelled.ok()) return cancelled;
  uploaded_ = false;
  upload_failure_ = Status::OK();
  Envelope envelope = protocol::NewEnvelope(request_id_);
  v1::MissingBlobs* missing = envelope.mutable_missing_blobs();
  missing->set_build_id(build_id_);
  for (const Digest& d : digests) missing->add_digests(d.ToString());
  Send(std::move(envelope));
  const auto deadline = std::chrono::steady_clock::now() + upload_timeout_;
  while (!uploaded_ && scope_.cancelled().ok()) {
    if (!changed_.WaitUntil(mu_, deadline)) break;
  }
  if (Status cancelled = scope_.cancelled(); !cancelled.ok()) return cancelled;
  if (!uploaded_) {
    return Status::TimedOut("the client did not upload the " + std::to_string(digests.size()) +
                            " context file(s) the build needs within " +
                            std::to_string(upload_timeout_.count() / 1000) + " s");
  }
  return upload_failure_;
}

void BuildSession::ContextUploaded() {
  MutexLock lock(mu_);
  uploaded_ = true;
  changed_.NotifyAll();
}

void BuildSession::UploadFailed(const Status& status) {
  MutexLock lock(mu_);
  if (upload_failure_.ok()) upload_failure_ = status;
}

}  // namespace strata::coordinator
