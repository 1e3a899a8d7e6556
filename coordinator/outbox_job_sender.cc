#include "coordinator/outbox_job_sender.h"

#include <utility>

namespace strata::coordinator {

Status OutboxJobSender::SendJob(const std::string& peer, const v1::Job& job) {
  protocol::Envelope envelope = protocol::NewEnvelope(++next_request_);
  *envelope.mutable_job() = job;
  outbox_.Send(Endpoint::kWorker, peer, std::move(envelope));
  return Status::OK();
}

}  // namespace strata::coordinator
