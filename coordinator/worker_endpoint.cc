#include "coordinator/worker_endpoint.h"

#include <optional>
#include <utility>

#include "common/logging.h"
#include "protocol/listener.h"

namespace strata::coordinator {

using protocol::Envelope;

void WorkerEndpoint::Handle(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  auto send = [&](Envelope e) { outbox_.Send(Endpoint::kWorker, peer, std::move(e)); };
  switch (envelope.body_case()) {
    case Envelope::kRegisterWorker: {
      Envelope reply = protocol::NewEnvelope(id);
      *reply.mutable_registered() = pool_.Register(peer, envelope.register_worker());
      send(std::move(reply));
      return;
    }
    case Envelope::kHeartbeat:
      if (Status s = pool_.Heartbeat(envelope.heartbeat()); !s.ok()) {
        send(protocol::ErrorReply(id, s));
      }
      return;
    case Envelope::kJobLog:
      pool_.OnJobLog(envelope.job_log());
      return;
    case Envelope::kJobResult:
      pool_.OnJobResult(envelope.job_result());
      return;
    case Envelope::kBlobGet:
      ServeBlobGet(blobs_, id, envelope.blob_get(), send);
      return;
    case Envelope::kBlobPut: {
      std::optional<Result<Digest>> done =
          receiver_.Put("w/" + peer + "/" + std::to_string(id), envelope.blob_put());
      if (!done) return;
      if (done->ok()) {
        Envelope ack = protocol::NewEnvelope(id);
        ack.mutable_ack();
        send(std::move(ack));
      } else {
        LOG(WARN) << "upload from worker " << protocol::PeerName(peer) << ": "
                  << done->status().ToString();
        send(protocol::ErrorReply(id, done->status()));
      }
      return;
    }
    case Envelope::kPing: {
      Envelope pong = protocol::NewEnvelope(id);
      pong.mutable_pong()->set_version(STRATA_VERSION);
      pong.mutable_pong()->set_protocol_version(protocol::kProtocolVersion);
      send(std::move(pong));
      return;
    }
    default:
      send(protocol::ErrorReply(
          id, Status::InvalidArgument(std::string("the worker endpoint does not serve ") +
                                      protocol::BodyName(envelope))));
  }
}

}  // namespace strata::coordinator
