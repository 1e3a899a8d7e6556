#include "coordinator/outbox_job_sender.h"

#include <utility>

namespace strata::coordinator {

Status OutboxJobSender::SendJob(const std::string& peer, const v1::Job& job) {
  protocol::Envelope envelope = protocol::NewEnvelope(++next_request_);
  *envelope.mutable_job() = job;
  outbox_.Send(Endpoint::kWorker, peer, std::move(envelope));
  return Status::OK();
}

void OutboxJobSender::SendCancel(const std::string& peer, const std::string& job_id,
                                 const std::string& reason) {
  protocol::Envelope envelope = protocol::NewEnvelope(++next_request_);
  envelope.mutable_cancel_job()->set_job_id(job_id);
  envelope.mutable_cancel_job()->set_reason(reason);
  outbox_.Send(Endpoint::kWorker, peer, std::move(envelope));
}

}  // namespace strata::coordinator
