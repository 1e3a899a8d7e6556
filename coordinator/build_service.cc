#include "coordinator/build_service.h"

#include <utility>

#include "common/logging.h"
#include "common/thread_top.h"
#include "coordinator/build_request.h"
#include "coordinator/manifest_context.h"
#include "dockerfile/plan.h"
#include "protocol/listener.h"

namespace strata::coordinator {

using protocol::Envelope;

BuildService::BuildService(cache::Store& store, WorkerPool& pool, Clock& clock, Outbox& outbox,
                           BuildServiceOptions options)
    : store_(store),
      pool_(pool),
      clock_(clock),
      outbox_(outbox),
      options_(options),
      step_runner_(pool, store.blobs(), this, "job"),
      runner_(store, step_runner_, clock),
      worker_endpoint_(store.blobs(), pool, outbox),
      context_receiver_(store.blobs(), sessions_, outbox) {}

BuildService::~BuildService() {
  sessions_.CancelAll(Status::Cancelled("the coordinator is shutting down"));
  pool_.Shutdown();
  for (BuildThread& t : threads_) t.thread.join();
}

Status BuildService::Upload(const std::vector<Digest>& digests) {
  std::shared_ptr<BuildSession> chosen = sessions_.FindHolding(digests);
  if (!chosen) {
    return Status::NotFound("no running build's client has the context contents " +
                            (digests.empty() ? std::string() : digests.front().ToString()) +
                            (digests.size() > 1 ? " and others" : ""));
  }
  return chosen->Upload(digests);
}

bool BuildService::HandlesClientMessage(const Envelope& envelope) {
  switch (envelope.body_case()) {
    case Envelope::kSubmitBuild:
    case Envelope::kContextUploaded:
    case Envelope::kBlobPut:
    case Envelope::kBlobGet:
      return true;
    default:
      return false;
  }
}

void BuildService::HandleClient(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  switch (envelope.body_case()) {
    case Envelope::kSubmitBuild:
      StartBuild(peer, envelope);
      return;
    case Envelope::kContextUploaded:
      context_receiver_.OnContextUploaded(peer, envelope);
      return;
    case Envelope::kBlobPut:
      context_receiver_.OnBlobPut(peer, envelope);
      return;
    case Envelope::kBlobGet:
      ServeBlobGet(store_.blobs(), id, envelope.blob_get(),
                   [&](Envelope e) { outbox_.Send(Endpoint::kClient, peer, std::move(e)); });
      return;
    default:
      outbox_.Send(
          Endpoint::kClient, peer,
          protocol::ErrorReply(id, Status::InvalidArgument(std::string("not a build message: ") +
                                                           protocol::BodyName(envelope))));
  }
}

void BuildService::StartBuild(const std::string& peer, const Envelope& envelope) {
  ReapFinished();
  const uint64_t id = envelope.request_id();
  std::string build_id = "b" + std::to_string(++next_build_);
  auto session =
      std::make_shared<BuildSession>(peer, id, build_id, outbox_, clock_, options_.upload_timeout);
  for (const v1::ContextEntry& e : envelope.submit_build().context()) {
    if (e.type() != v1::ContextEntry::TYPE_REGULAR) continue;
    if (Result<Digest> d = Digest::Parse(e.sha256()); d.ok()) session->contents.insert(*d);
  }
  if (!sessions_.Add(session)) {
    outbox_.Send(Endpoint::kClient, peer,
                 protocol::ErrorReply(
                     id, Status::AlreadyExists("a build with request id " + std::to_string(id) +
                                               " is already running on this connection")));
    return;
  }
  LOG(INFO) << "build " << build_id << " submitted by " << protocol::PeerName(peer);
  ++running_;
  threads_.push_back({session, std::thread([this, session, request = envelope.submit_build()] {
                        // An exception here would end the coordinator and every build on it;
                        // it ends this build only.
                        Status crashed = CatchAtThreadTop("build " + session->build_id(),
                                                          [&] { RunBuild(session, request); });
                        if (!crashed.ok() && !session->finished) {
                          EndSession(session, protocol::ErrorReply(session->request_id(), crashed));
                        }
                      })});
}

void BuildService::ReapFinished() {
  std::erase_if(threads_, [](BuildThread& t) {
    if (!t.session->finished) return false;
    t.thread.join();
    return true;
  });
}

void BuildService::EndSession(const std::shared_ptr<BuildSession>& session,
                              protocol::Envelope last) {
  session->Send(std::move(last));
  sessions_.Remove(session);
  session->finished = true;
  --running_;
}

void BuildService::RunBuild(std::shared_ptr<BuildSession> session, v1::SubmitBuild request) {
  const uint64_t id = session->request_id();
  auto finish = [&](Envelope last) { EndSession(session, std::move(last)); };
  auto fail_early = [&](const Status& status) {
    LOG(INFO) << "build " << session->build_id() << " refused: " << status.message();
    finish(protocol::ErrorReply(id, status));
  };

  Result<dockerfile::BuildPlan> plan =
      dockerfile::ParseAndPlan(request.dockerfile(), PlanOptionsOf(request, store_));
  if (!plan.ok()) return fail_early(plan.status());
  Result<std::vector<cache::InputEntry>> entries = EntriesFromManifest(request);
  if (!entries.ok()) return fail_early(entries.status());
  ManifestContext context(std::move(*entries));
  Result<BuildOptions> options = BuildOptionsOf(request);
  if (!options.ok()) return fail_early(options.status());

  Result<BuildResult> result = runner_.Build(*plan, &context, *options, session.get());

  Envelope reply = protocol::NewEnvelope(id);
  v1::BuildResult* out = reply.mutable_build_result();
  out->set_build_id(session->build_id());
  if (!result.ok()) {
    LOG(INFO) << "build " << session->build_id() << " failed: " << result.status().message();
    *out->mutable_error() = protocol::ErrorFromStatus(result.status());
    return finish(std::move(reply));
  }
  if (request.cache_debug()) {
    int index = 0;
    for (const StepReport& step : result->steps) {
      Envelope event = protocol::NewEnvelope(id);
      v1::BuildEvent* e = event.mutable_build_event();
      e->set_build_id(session->build_id());
      e->set_step(++index);
      e->set_total_steps(static_cast<uint32_t>(result->steps.size()));
      e->mutable_cache_debug()->set_instruction(step.text);
      e->mutable_cache_debug()->set_cache_key(step.key.ToString());
      e->mutable_cache_debug()->set_preimage(step.preimage);
      session->Send(std::move(event));
    }
  }
  FillBuildResult(*result, request, out);
  LOG(INFO) << "build " << session->build_id() << " done: " << result->image.id.ToString() << " ("
            << result->ran_steps << " run, " << result->cached_steps << " cached)";
  finish(std::move(reply));
}

}  // namespace strata::coordinator
