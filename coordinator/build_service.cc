#include "coordinator/build_service.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>
#include <utility>

#include "common/logging.h"
#include "common/thread_top.h"
#include "coordinator/image_resolver.h"
#include "coordinator/manifest_context.h"
#include "dockerfile/plan.h"
#include "image/image_config.h"
#include "image/reference.h"
#include "protocol/listener.h"

namespace strata::coordinator {

using protocol::Envelope;

// One build as its client sees it: the peer and request id R every
// BuildEvent, MissingBlobs and the BuildResult carry, and the wait for a
// ContextUploaded. Thread-safe: events come from any build thread, uploads
// are announced by the I/O thread.
class BuildSession : public EventSink, public ContextUploader {
 public:
  BuildSession(std::string peer, uint64_t request_id, std::string build_id, Outbox& outbox,
               Clock& clock, std::chrono::milliseconds upload_timeout)
      : peer_(std::move(peer)),
        request_id_(request_id),
        build_id_(std::move(build_id)),
        outbox_(outbox),
        clock_(clock),
        upload_timeout_(upload_timeout) {}

  const std::string& build_id() const { return build_id_; }
  uint64_t request_id() const { return request_id_; }
  void Send(Envelope envelope) { outbox_.Send(Endpoint::kClient, peer_, std::move(envelope)); }

  void OnEvent(const BuildEvent& e) override {
    int index = e.index, total = e.total;
    {
      // A step runner's log lines carry only their stage: they belong to the
      // step of that stage that started last (a stage runs its steps in order).
      std::lock_guard lock(steps_mu_);
      if (e.kind == BuildEvent::Kind::kStarted) {
        running_step_[e.stage] = {e.index, e.total};
      } else if ((e.kind == BuildEvent::Kind::kLog || e.kind == BuildEvent::Kind::kRetry) &&
                 index == 0) {
        auto it = running_step_.find(e.stage);
        // A one-stage build's events name no stage; its jobs still do.
        if (it == running_step_.end() && running_step_.size() == 1) it = running_step_.begin();
        if (it != running_step_.end()) std::tie(index, total) = it->second;
      }
    }
    Envelope envelope = protocol::NewEnvelope(request_id_);
    v1::BuildEvent* out = envelope.mutable_build_event();
    out->set_build_id(build_id_);
    out->set_step(static_cast<uint32_t>(std::max(0, index)));
    out->set_total_steps(static_cast<uint32_t>(std::max(0, total)));
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

  // MissingBlobs(R), then waits for ContextUploaded(R). One round at a time.
  Status Upload(const std::vector<Digest>& digests) override {
    std::lock_guard round(round_mu_);
    std::unique_lock lock(mu_);
    if (!cancelled_.ok()) return cancelled_;
    uploaded_ = false;
    upload_failure_ = Status::OK();
    Envelope envelope = protocol::NewEnvelope(request_id_);
    v1::MissingBlobs* missing = envelope.mutable_missing_blobs();
    missing->set_build_id(build_id_);
    for (const Digest& d : digests) missing->add_digests(d.ToString());
    Send(std::move(envelope));
    bool answered =
        changed_.wait_for(lock, upload_timeout_, [&] { return uploaded_ || !cancelled_.ok(); });
    if (!cancelled_.ok()) return cancelled_;
    if (!answered) {
      return Status::TimedOut("the client did not upload the " + std::to_string(digests.size()) +
                              " context file(s) the build needs within " +
                              std::to_string(upload_timeout_.count() / 1000) + " s");
    }
    return upload_failure_;
  }

  void ContextUploaded() {
    std::lock_guard lock(mu_);
    uploaded_ = true;
    changed_.notify_all();
  }
  void UploadFailed(const Status& status) {
    std::lock_guard lock(mu_);
    if (upload_failure_.ok()) upload_failure_ = status;
  }
  void Cancel(const Status& status) {
    std::lock_guard lock(mu_);
    cancelled_ = status;
    changed_.notify_all();
  }

  std::atomic<bool> finished{false};
  std::set<Digest> contents;  // of the manifest's regular files; immutable once listed

 private:
  const std::string peer_;
  const uint64_t request_id_;
  const std::string build_id_;
  Outbox& outbox_;
  Clock& clock_;
  const std::chrono::milliseconds upload_timeout_;
  std::mutex steps_mu_;
  std::map<std::string, std::pair<int, int>> running_step_;  // stage -> (index, total)
  std::mutex round_mu_;
  std::mutex mu_;
  std::condition_variable changed_;
  bool uploaded_ = false;
  Status upload_failure_;
  Status cancelled_;
};

namespace {

std::string SessionKey(const std::string& peer, uint64_t request_id) {
  return peer + "/" + std::to_string(request_id);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Passes the request's labels on once BuildOptions has a `labels` map.
template <typename Options>
void SetLabels(const v1::SubmitBuild& request, Options& options) {
  if constexpr (requires { options.labels[std::string()] = std::string(); }) {
    for (const auto& [k, v] : request.labels()) options.labels[k] = v;
  }
}

}  // namespace

Status OutboxJobSender::SendJob(const std::string& peer, const v1::Job& job) {
  Envelope envelope = protocol::NewEnvelope(++next_request_);
  *envelope.mutable_job() = job;
  outbox_.Send(Endpoint::kWorker, peer, std::move(envelope));
  return Status::OK();
}

BuildService::BuildService(cache::Store& store, WorkerPool& pool, Clock& clock, Outbox& outbox,
                           BuildServiceOptions options)
    : store_(store),
      pool_(pool),
      clock_(clock),
      outbox_(outbox),
      options_(options),
      step_runner_(pool, store.blobs(), this, "job"),
      runner_(store, step_runner_, clock),
      receiver_(store.blobs()),
      client_receiver_(store.blobs(), /*deferred=*/true) {}

BuildService::~BuildService() {
  {
    std::lock_guard lock(sessions_mu_);
    for (auto& [key, session] : sessions_) {
      session->Cancel(Status::Cancelled("the coordinator is shutting down"));
    }
  }
  pool_.Shutdown();
  for (BuildThread& t : threads_) t.thread.join();
}

Status BuildService::Upload(const std::vector<Digest>& digests) {
  std::shared_ptr<BuildSession> chosen;
  {
    std::lock_guard lock(sessions_mu_);
    for (const auto& [key, session] : sessions_) {
      if (std::all_of(digests.begin(), digests.end(),
                      [&](const Digest& d) { return session->contents.contains(d); })) {
        chosen = session;
        break;
      }
    }
  }
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
    case Envelope::kContextUploaded: {
      std::lock_guard lock(sessions_mu_);
      auto it = sessions_.find(SessionKey(peer, id));
      if (it == sessions_.end()) {
        LOG(WARN) << "ContextUploaded from " << protocol::PeerName(peer) << " for request " << id
                  << ", which is no running build";
        return;
      }
      // The context files were written without waiting for the disk, one
      // by one; one syncfs makes them all durable before a job reads them.
      if (Status synced = store_.blobs().Sync(); !synced.ok()) {
        it->second->UploadFailed(synced.Annotate("storing the build context"));
      }
      it->second->ContextUploaded();
      return;
    }
    case Envelope::kBlobPut:
      ClientBlobPut(peer, envelope);
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

void BuildService::ClientBlobPut(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  std::optional<Result<Digest>> done =
      client_receiver_.Put("c/" + SessionKey(peer, id), envelope.blob_put());
  if (!done) return;
  std::shared_ptr<BuildSession> session;
  {
    std::lock_guard lock(sessions_mu_);
    auto it = sessions_.find(SessionKey(peer, id));
    if (it != sessions_.end()) session = it->second;
  }
  if (session) {
    // Within a build the upload is answered by the build going on (or
    // failing), not by an Ack the client's event loop does not expect.
    if (!done->ok()) {
      LOG(WARN) << "build " << session->build_id()
                << ": upload failed: " << done->status().ToString();
      session->UploadFailed(done->status());
    }
    return;
  }
  Envelope reply = protocol::NewEnvelope(id);
  if (done->ok()) {
    reply.mutable_ack();
  } else {
    reply = protocol::ErrorReply(id, done->status());
  }
  outbox_.Send(Endpoint::kClient, peer, std::move(reply));
}

void BuildService::HandleWorker(const std::string& peer, const Envelope& envelope) {
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
      ServeBlobGet(store_.blobs(), id, envelope.blob_get(), send);
      return;
    case Envelope::kBlobPut: {
      std::optional<Result<Digest>> done =
          receiver_.Put("w/" + SessionKey(peer, id), envelope.blob_put());
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
  {
    std::lock_guard lock(sessions_mu_);
    if (sessions_.contains(SessionKey(peer, id))) {
      outbox_.Send(Endpoint::kClient, peer,
                   protocol::ErrorReply(
                       id, Status::AlreadyExists("a build with request id " + std::to_string(id) +
                                                 " is already running on this connection")));
      return;
    }
    sessions_[SessionKey(peer, id)] = session;
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
  {
    std::lock_guard lock(sessions_mu_);
    std::erase_if(sessions_, [&](const auto& kv) { return kv.second == session; });
  }
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

  dockerfile::PlanOptions plan_options;
  plan_options.filename =
      request.dockerfile_name().empty() ? "Dockerfile" : request.dockerfile_name();
  plan_options.build_args = {request.build_args().begin(), request.build_args().end()};
  plan_options.target = request.target();
  if (!request.platform().empty()) plan_options.target_platform = request.platform();
  plan_options.base_image = [this](const std::string& name) { return BaseImageScopeOf(name); };
  Result<dockerfile::BuildPlan> plan = dockerfile::ParseAndPlan(request.dockerfile(), plan_options);
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
    plan = dockerfile::ParseAndPlan(request.dockerfile(), plan_options);
    if (!plan.ok()) return fail_early(plan.status());
  }
  Result<std::vector<cache::InputEntry>> entries = EntriesFromManifest(request);
  if (!entries.ok()) return fail_early(entries.status());
  ManifestContext context(std::move(*entries));

  BuildOptions options;
  options.no_cache = request.no_cache();
  for (const std::string& stage : request.no_cache_filter()) {
    options.no_cache_filter.insert(Lower(stage));
  }
  options.cache_debug = request.cache_debug();
  for (const std::string& tag : request.tags()) {
    Result<image::Reference> ref = image::ParseReference(tag);
    if (!ref.ok()) return fail_early(ref.status().Annotate("tag '" + tag + "'"));
    options.tags.push_back(ref->String());
  }
  if (request.has_source_date_epoch()) options.source_date_epoch = request.source_date_epoch();
  SetLabels(request, options);

  Result<BuildResult> result = runner_.Build(*plan, &context, options, session.get());

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
  out->set_image_id(result->image.id.ToString());
  out->set_manifest_digest(result->image.manifest_digest.ToString());
  for (const std::string& tag : request.tags()) out->add_tags(tag);
  out->set_steps_cached(result->cached_steps);
  out->set_steps_run(result->ran_steps);
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

std::optional<dockerfile::BaseImageScope> BuildService::BaseImageScopeOf(const std::string& name) {
  Result<ResolvedImage> image = ResolveImage(store_.metadata(), name);
  if (!image.ok()) return std::nullopt;  // the runner reports the unknown image with its line
  Result<std::string> json = store_.blobs().ReadAll(image->record.config_digest);
  if (!json.ok()) return std::nullopt;
  Result<image::ImageConfig> config = image::ImageConfig::FromJson(*json);
  if (!config.ok()) return std::nullopt;
  dockerfile::BaseImageScope scope;
  scope.env = config->config.env;
  scope.workdir = config->config.working_dir;
  if (config->config.shell) scope.shell = *config->config.shell;
  return scope;
}

}  // namespace strata::coordinator
