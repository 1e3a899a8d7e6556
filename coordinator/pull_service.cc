#include "coordinator/pull_service.h"

#include "common/logging.h"
#include "image/reference.h"

namespace strata::coordinator {

using protocol::Envelope;

PullService::PullService(ImagePuller& puller, registry::RegistryClient& client,
                         RequestCredentials& credentials, Outbox& outbox)
    : puller_(puller), client_(client), credentials_(credentials), outbox_(outbox),
      threads_(outbox) {}

PullService::~PullService() = default;

bool PullService::HandlesClientMessage(const Envelope& envelope) {
  return envelope.body_case() == Envelope::kPullImage;
}

void PullService::HandleClient(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  threads_.Start("pull " + envelope.pull_image().reference(), peer, id,
                 [this, peer, id, request = envelope.pull_image()] { RunPull(peer, id, request); });
}

void PullService::RunPull(const std::string& peer, uint64_t id, const v1::PullImage& request) {
  auto send = [&](Envelope e) { outbox_.Send(Endpoint::kClient, peer, std::move(e)); };
  auto fail = [&](const Status& s) { send(protocol::ErrorReply(id, s)); };
  credentials_.Accept(request.auth());
  Result<image::Reference> ref = image::ParseReference(request.reference());
  if (!ref.ok()) return fail(ref.status());

  std::vector<image::Reference> refs;
  if (request.all_tags()) {
    if (!ref->digest().empty() ||
        request.reference().find(':', request.reference().rfind('/') + 1) != std::string::npos) {
      return fail(Status::InvalidArgument("tag can't be used with --all-tags/-a"));
    }
    Result<std::vector<std::string>> tags = client_.ListTags(*ref);
    if (!tags.ok()) return fail(tags.status());
    for (const std::string& tag : *tags) {
      Result<image::Reference> tagged = image::ParseReference(ref->Name() + ":" + tag);
      if (tagged.ok()) refs.push_back(*tagged);
    }
    if (refs.empty()) return fail(Status::NotFound(ref->Name() + ": the repository has no tags"));
  } else {
    refs.push_back(*ref);
  }

  PullEventFn events;
  if (!request.quiet()) {
    events = [&](const PullEvent& e) {
      Envelope envelope = protocol::NewEnvelope(id);
      v1::PullProgress* p = envelope.mutable_pull_progress();
      p->set_id(e.id);
      p->set_status(e.status);
      p->set_current(e.current);
      p->set_total(e.total);
      send(std::move(envelope));
    };
  }
  for (size_t i = 0; i < refs.size(); ++i) {
    Result<PullOutcome> out = puller_.Pull(refs[i], request.platform(), events);
    if (!out.ok()) return fail(out.status());
    LOG(INFO) << "pulled " << refs[i].String() << " " << out->record.id.ToString() << " ("
              << out->blobs_fetched << " layers downloaded)";
    Envelope envelope = protocol::NewEnvelope(id);
    v1::PullResult* r = envelope.mutable_pull_result();
    r->set_reference(refs[i].String());
    r->set_id(out->record.id.ToString());
    r->set_digest(out->digest.ToString());
    r->set_newer(out->newer);
    r->set_last(i + 1 == refs.size());
    send(std::move(envelope));
  }
}

}  // namespace strata::coordinator
