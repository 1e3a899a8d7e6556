#include "coordinator/push_service.h"

#include <utility>

#include "common/logging.h"
#include "protocol/listener.h"

namespace strata::coordinator {
namespace {

using protocol::Envelope;

// Streams a push's lines to its client as PushProgress(R).
class OutboxPushObserver : public PushObserver {
 public:
  OutboxPushObserver(Outbox& outbox, std::string peer, uint64_t request_id)
      : outbox_(outbox), peer_(std::move(peer)), request_id_(request_id) {}

  void OnLayer(const PushLayerEvent& event) override {
    Envelope envelope = protocol::NewEnvelope(request_id_);
    v1::PushProgress* out = envelope.mutable_push_progress();
    out->set_id(event.id);
    out->set_status(event.status);
    out->set_current(event.current);
    out->set_total(event.total);
    outbox_.Send(Endpoint::kClient, peer_, std::move(envelope));
  }
  void OnTagPushed(const PushedTag& tag) override {
    Envelope envelope = protocol::NewEnvelope(request_id_);
    v1::PushedTag* out = envelope.mutable_push_progress()->mutable_pushed();
    out->set_tag(tag.tag);
    out->set_digest(tag.digest.ToString());
    out->set_size(tag.size);
    outbox_.Send(Endpoint::kClient, peer_, std::move(envelope));
  }

 private:
  Outbox& outbox_;
  const std::string peer_;
  const uint64_t request_id_;
};

}  // namespace

PushService::PushService(ImagePusher& pusher, registry::RegistryClient& client,
                         AcceptAuth accept_auth, Outbox& outbox)
    : pusher_(pusher), client_(client), accept_auth_(std::move(accept_auth)), outbox_(outbox),
      threads_(outbox) {}

PushService::~PushService() = default;

bool PushService::Handles(const Envelope& envelope) const {
  return envelope.body_case() == Envelope::kPushImage;
}

void PushService::HandleClient(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  if (envelope.body_case() != Envelope::kPushImage) {
    outbox_.Send(
        Endpoint::kClient, peer,
        protocol::ErrorReply(id, Status::InvalidArgument(std::string("not a push message: ") +
                                                         protocol::BodyName(envelope))));
    return;
  }
  LOG(INFO) << "push of " << envelope.push_image().name() << " requested by "
            << protocol::PeerName(peer);
  threads_.Start("push of " + envelope.push_image().name(), peer, id,
                 [this, peer, id, request = envelope.push_image()] { RunPush(peer, id, request); });
}

void PushService::RunPush(const std::string& peer, uint64_t request_id,
                          const v1::PushImage& request) {
  if (accept_auth_) accept_auth_(request.auth());
  OutboxPushObserver observer(outbox_, peer, request_id);
  Result<PushOutcome> outcome =
      pusher_.Push(client_, {.name = request.name(), .all_tags = request.all_tags()}, observer);
  if (!outcome.ok()) {
    outbox_.Send(Endpoint::kClient, peer, protocol::ErrorReply(request_id, outcome.status()));
    return;
  }
  Envelope reply = protocol::NewEnvelope(request_id);
  v1::PushResult* out = reply.mutable_push_result();
  out->set_repository(outcome->repository);
  for (const PushedTag& tag : outcome->tags) {
    v1::PushedTag* t = out->add_tags();
    t->set_tag(tag.tag);
    t->set_digest(tag.digest.ToString());
    t->set_size(tag.size);
  }
  outbox_.Send(Endpoint::kClient, peer, std::move(reply));
}

}  // namespace strata::coordinator
