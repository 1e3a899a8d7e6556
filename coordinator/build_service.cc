#include "coordinator/build_service.h"

#include "coordinator/blob_access.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/logging.h"
#include "common/random_hex.h"
#include "common/thread_top.h"
#include "coordinator/build_request.h"
#include "coordinator/image_resolver.h"
#include "coordinator/manifest_context.h"
#include "dockerfile/plan.h"
#include "image/reference.h"
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
      step_runner_(pool, store.blobs()),
      runner_(store, step_runner_, clock),
      worker_endpoint_(store.blobs(), pool, outbox, clock),
      context_receiver_(store.blobs(), sessions_, outbox, clock) {}

BuildService::~BuildService() {
  sessions_.CancelAll(Status::Cancelled("the coordinator is shutting down"));
  pool_.Shutdown();
  for (BuildThread& t : threads_) t.thread.join();
}

void BuildService::Tick() {
  const int64_t now = clock_.NowMonotonicNanos();
  const bool probe =
      now - last_probe_nanos_ >=
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.client_probe_interval).count();
  if (probe) {
    last_probe_nanos_ = now;
    const int64_t idle =
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.upload_idle_timeout).count();
    size_t dropped = context_receiver_.ExpireIdleUploads(idle) +
                     worker_endpoint_.ExpireIdleUploads(idle);
    if (dropped > 0) LOG(INFO) << "dropped " << dropped << " upload(s) idle for " << idle / 1'000'000'000 << " s";
  }
  std::set<std::string> probed;
  for (const std::shared_ptr<BuildSession>& session : sessions_.All()) {
    const int64_t deadline = session->scope().deadline_nanos();
    if (deadline > 0 && now >= deadline && session->scope().cancelled().ok()) {
      LOG(INFO) << "build " << session->build_id() << " timed out";
      session->Cancel(Status::TimedOut("the build ran longer than its --timeout"));
    }
    if (probe && probed.insert(session->peer()).second) {
      protocol::Envelope ping = protocol::NewEnvelope(0);
      ping.mutable_ping();
      outbox_.Send(Endpoint::kClient, session->peer(), std::move(ping));
    }
  }
}

void BuildService::OnClientGone(const std::string& peer) {
  if (size_t dropped = context_receiver_.OnClientGone(peer); dropped > 0) {
    LOG(INFO) << "dropped " << dropped << " unfinished upload(s) of " << protocol::PeerName(peer)
              << ", which went away";
  }
  for (const std::shared_ptr<BuildSession>& session : sessions_.All()) {
    if (session->peer() != peer || !session->scope().cancelled().ok()) continue;
    LOG(INFO) << "build " << session->build_id() << ": its client " << protocol::PeerName(peer)
              << " went away; cancelling it";
    session->Cancel(Status::Cancelled(
        "the build's client went away (interrupted or disconnected); the build was cancelled"));
  }
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

void BuildService::HandleClient(const Caller& caller, const std::string& peer,
                                const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  switch (envelope.body_case()) {
    case Envelope::kSubmitBuild:
      StartBuild(caller, peer, envelope);
      return;
    case Envelope::kContextUploaded:
      context_receiver_.OnContextUploaded(peer, envelope);
      return;
    case Envelope::kBlobPut:
      context_receiver_.OnBlobPut(peer, envelope);
      return;
    case Envelope::kBlobGet:
      if (Status readable = CheckBlobReadable(store_, caller, envelope.blob_get().digest());
          !readable.ok()) {
        outbox_.Send(Endpoint::kClient, peer, protocol::ErrorReply(id, readable));
        return;
      }
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

void BuildService::StartBuild(const Caller& caller, const std::string& peer,
                              const Envelope& envelope) {
  ReapFinished();
  const uint64_t id = envelope.request_id();
  // Random: unique across coordinator restarts, so that a job id (which
  // starts with it) from before one never names a job of after it.
  std::string build_id = "b" + RandomHex(12);
  const uint64_t timeout_ms = envelope.submit_build().timeout_ms();
  const int64_t deadline =
      timeout_ms == 0 ? 0
                      : clock_.NowMonotonicNanos() +
                            static_cast<int64_t>(std::min<uint64_t>(timeout_ms, 1ULL << 40)) *
                                1'000'000;
  auto session = std::make_shared<BuildSession>(peer, id, build_id, outbox_, clock_,
                                                options_.upload_timeout, deadline);
  if (!sessions_.Add(session)) {
    outbox_.Send(Endpoint::kClient, peer,
                 protocol::ErrorReply(
                     id, Status::AlreadyExists("a build with request id " + std::to_string(id) +
                                               " is already running on this connection")));
    return;
  }
  LOG(INFO) << "build " << build_id << " submitted by " << protocol::PeerName(peer) << " ("
            << caller.name << ", namespace " << caller.ns << ")";
  ++running_;
  threads_.push_back({session, std::thread([this, session, request = envelope.submit_build(),
                                            ns = caller.ns] {
                        // An exception here would end the coordinator and every build on it;
                        // it ends this build only.
                        Status crashed = CatchAtThreadTop("build " + session->build_id(),
                                                          [&] { RunBuild(session, request, ns); });
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

BuildService::Stats BuildService::stats() const {
  return {build_seconds_.Read(), succeeded_, failed_, cancelled_, steps_cached_, steps_run_};
}

void BuildService::RunBuild(std::shared_ptr<BuildSession> session, v1::SubmitBuild request,
                            const std::string& ns) {
  const uint64_t id = session->request_id();
  const int64_t started = clock_.NowMonotonicNanos();
  auto finish = [&](Envelope last) {
    build_seconds_.Observe(static_cast<double>(clock_.NowMonotonicNanos() - started) / 1e9);
    const bool failed = last.has_error() || last.build_result().has_error();
    if (!failed) {
      ++succeeded_;
    } else if (!session->scope().cancelled().ok()) {
      ++cancelled_;
    } else {
      ++failed_;
    }
    EndSession(session, std::move(last));
  };
  auto fail_early = [&](const Status& status) {
    LOG(INFO) << "build " << session->build_id() << " refused: " << status.message();
    finish(protocol::ErrorReply(id, status));
  };

  Result<dockerfile::BuildPlan> plan =
      dockerfile::ParseAndPlan(request.dockerfile(), PlanOptionsOf(request, store_));
  if (!plan.ok()) return fail_early(plan.status());
  bool pulled = false;
  if (Status images = PullImagesOf(*session, *plan, request, &pulled); !images.ok()) {
    Envelope reply = protocol::NewEnvelope(id);
    reply.mutable_build_result()->set_build_id(session->build_id());
    *reply.mutable_build_result()->mutable_error() = protocol::ErrorFromStatus(images);
    LOG(INFO) << "build " << session->build_id() << " failed: " << images.message();
    return finish(std::move(reply));
  }
  if (pulled) {
    // The planner read no ENV/WORKDIR/SHELL of an image that was not there.
    plan = dockerfile::ParseAndPlan(request.dockerfile(), PlanOptionsOf(request, store_));
    if (!plan.ok()) return fail_early(plan.status());
  }
  Result<std::vector<cache::InputEntry>> entries = EntriesFromManifest(request);
  if (!entries.ok()) return fail_early(entries.status());
  ManifestContext context(std::move(*entries));
  Result<BuildOptions> options = BuildOptionsOf(request);
  if (!options.ok()) return fail_early(options.status());
  options->ns = ns;

  Result<BuildResult> result = runner_.Build(*plan, &context, *options, session->scope());

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
  steps_cached_ += static_cast<uint64_t>(result->cached_steps);
  steps_run_ += static_cast<uint64_t>(result->ran_steps);
  FillBuildResult(*result, request, out);
  LOG(INFO) << "build " << session->build_id() << " done: " << result->image.id.ToString() << " ("
            << result->ran_steps << " run, " << result->cached_steps << " cached)";
  finish(std::move(reply));
}

Status BuildService::PullImagesOf(BuildSession& session, const dockerfile::BuildPlan& plan,
                                  const v1::SubmitBuild& request, bool* pulled) {
  if (puller_ == nullptr) return Status::OK();             // the runner reports an absent image
  std::vector<std::pair<std::string, std::string>> names;  // (what, name)
  for (const dockerfile::BuildStage& stage : plan.stages) {
    if (!stage.needed) continue;
    const std::string where = plan.filename + ":" + std::to_string(stage.start_line) + ": ";
    if (stage.base.kind == dockerfile::BaseKind::kImage) {
      names.emplace_back(where + "FROM " + stage.base.image, stage.base.image);
    }
    for (const std::string& source : stage.image_sources) {
      names.emplace_back(plan.filename + ": stage " + stage.DisplayName() + ": image " + source,
                         source);
    }
  }
  std::set<std::string> seen;
  for (const auto& [what, name] : names) {
    Result<image::Reference> ref = image::ParseReference(name);
    if (!ref.ok() || !seen.insert(ref->String()).second) continue;  // the runner reports it
    bool present = ResolveImage(store_.metadata(), ref->String()).ok();
    if (present && !request.pull()) continue;  // as Docker: no registry for a local image
    for (const v1::RegistryAuth& auth : request.registry_auth()) credentials_->Accept(auth);
    const std::string title = "[internal] load metadata for " + ref->String();
    auto send = [&](auto fill) {
      Envelope envelope = protocol::NewEnvelope(session.request_id());
      v1::BuildEvent* e = envelope.mutable_build_event();
      e->set_build_id(session.build_id());
      e->set_vertex(title);
      e->set_time_unix_ms(clock_.NowUnixNanos() / 1'000'000);
      fill(e);
      session.Send(std::move(envelope));
    };
    send([&](v1::BuildEvent* e) { e->mutable_started()->set_instruction(title); });
    PullEventFn events = [&](const PullEvent& p) {
      if (p.status == "Downloading") return;  // the bytes are for pull's own display
      send([&](v1::BuildEvent* e) {
        e->mutable_log()->set_stream(v1::LogLine::STREAM_STDOUT);
        e->mutable_log()->set_data(p.id + ": " + p.status + "\n");
      });
    };
    Result<PullOutcome> out = puller_->Pull(*ref, request.platform(), events);
    if (!out.ok()) {
      send([&](v1::BuildEvent* e) {
        e->mutable_error()->set_code(static_cast<int>(out.status().code()));
        e->mutable_error()->set_message(out.status().message());
      });
      return out.status().Annotate(what);
    }
    send([&](v1::BuildEvent* e) {
      e->mutable_log()->set_stream(v1::LogLine::STREAM_STDOUT);
      e->mutable_log()->set_data("resolve " + ref->String() + "@" + out->digest.ToString() +
                                 " done\n");
    });
    send([&](v1::BuildEvent* e) { e->mutable_done()->set_instruction(title); });
    *pulled = *pulled || !present || out->newer;
  }
  return Status::OK();
}

}  // namespace strata::coordinator
