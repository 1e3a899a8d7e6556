#pragma once

// The coordinator side of `strata build` and of workers (docs/protocol.md
// "Builds and workers"): SubmitBuild starts a build on its own thread
// (plan, cache, jobs through the WorkerPool, BuildEvents and a BuildResult
// back to the client); the client's context uploads go to the build
// waiting for them (ContextUploadReceiver); the worker endpoint's messages
// feed the pool (WorkerEndpoint).
//
// Each build has a BuildScope (its session's): an id unique across
// coordinator restarts, its client as the only uploader of its context, a
// cancel that stops its queued and running jobs. A build is cancelled when
// its client goes away (a send to it fails: the I/O thread calls
// OnClientGone; Tick probes every client at least every 500 ms, so a
// silent build notices too) or when it outlives `build --timeout`.
//
// Threads: Handle*, Tick and OnClientGone are called by the I/O thread
// only; builds run on their own threads and send through the Outbox.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cache/store.h"
#include "common/clock.h"
#include "coordinator/build_runner.h"
#include "coordinator/build_session.h"
#include "coordinator/build_session_table.h"
#include "coordinator/caller.h"
#include "coordinator/context_upload_receiver.h"
#include "coordinator/outbox.h"
#include "coordinator/protocol_step_runner.h"
#include "coordinator/worker_endpoint.h"
#include "coordinator/image_puller.h"
#include "metrics/histogram.h"
#include "coordinator/request_credentials.h"
#include "coordinator/worker_pool.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

struct BuildServiceOptions {
  // How long a build waits for ContextUploaded after MissingBlobs.
  std::chrono::milliseconds upload_timeout{std::chrono::minutes(10)};
  // How often a running build's client is probed (a Ping with request id 0,
  // which clients drop) so that a client gone is noticed.
  std::chrono::milliseconds client_probe_interval{500};
  // An unfinished BlobPut (client or worker) that got no chunk for this
  // long is dropped with its temp file.
  std::chrono::milliseconds upload_idle_timeout{std::chrono::minutes(2)};
};

class BuildService {
 public:
  // REQUIRES: all outlive the service.
  BuildService(cache::Store& store, WorkerPool& pool, Clock& clock, Outbox& outbox,
               BuildServiceOptions options = {});
  // Cancels waiting jobs and uploads, then joins the build threads.
  ~BuildService();

  // FROM and COPY --from images the store lacks are pulled through `puller`
  // (all of them with `build --pull`), with the credentials SubmitBuild
  // carries remembered in `credentials`. Without a puller such a build
  // fails as "pull the image first". REQUIRES: before the first build; both
  // outlive the service.
  void AttachPuller(ImagePuller& puller, RequestCredentials& credentials) {
    puller_ = &puller;
    credentials_ = &credentials;
  }

  // Whether the client endpoint's `envelope` is for this service
  // (SubmitBuild, ContextUploaded, BlobPut, BlobGet).
  static bool HandlesClientMessage(const protocol::Envelope& envelope);
  // `caller` decides the build's namespace and which blobs a BlobGet may read.
  void HandleClient(const Caller& caller, const std::string& peer,
                    const protocol::Envelope& envelope);
  // Every message of the worker endpoint.
  void HandleWorker(const std::string& peer, const protocol::Envelope& envelope) {
    worker_endpoint_.Handle(peer, envelope);
  }

  // Probes the running builds' clients and stops builds past their
  // deadline. Call it about every poll interval.
  void Tick();
  // A send to client `peer` found it gone: its builds are cancelled.
  void OnClientGone(const std::string& peer);

  // Builds running: while non-zero the coordinator is not idle.
  int running_builds() const { return running_.load(); }

  // For /metrics. Thread-safe.
  struct Stats {
    metrics::Histogram::Snapshot build_seconds;
    uint64_t succeeded = 0, failed = 0, cancelled = 0;
    uint64_t steps_cached = 0, steps_run = 0;  // cache hits and misses of filesystem and metadata steps
  };
  Stats stats() const;

 private:
  void StartBuild(const Caller& caller, const std::string& peer,
                  const protocol::Envelope& envelope);
  void RunBuild(std::shared_ptr<BuildSession> session, v1::SubmitBuild request,
                const std::string& ns);
  // Sends the session's last message and forgets it (once per session).
  void EndSession(const std::shared_ptr<BuildSession>& session, protocol::Envelope last);
  void ReapFinished();
  // Pulls the images the plan's needed stages name (FROM, COPY --from) that
  // the store lacks, or all of them with `pull`; sets *pulled when one
  // arrived (the plan is then made again with its ENV). Progress goes to the
  // session as one "[internal] load metadata for NAME" vertex per image.
  Status PullImagesOf(BuildSession& session, const dockerfile::BuildPlan& plan,
                      const v1::SubmitBuild& request, bool* pulled);

  cache::Store& store_;
  WorkerPool& pool_;
  Clock& clock_;
  Outbox& outbox_;
  const BuildServiceOptions options_;
  ProtocolStepRunner step_runner_;
  BuildRunner runner_;  // thread-safe: builds run at once and share in-flight steps
  BuildSessionTable sessions_;
  WorkerEndpoint worker_endpoint_;          // I/O thread only
  ContextUploadReceiver context_receiver_;  // I/O thread only
  ImagePuller* puller_ = nullptr;
  RequestCredentials* credentials_ = nullptr;

  struct BuildThread {
    std::shared_ptr<BuildSession> session;
    std::thread thread;
  };
  std::vector<BuildThread> threads_;  // I/O thread only
  std::atomic<int> running_{0};
  metrics::Histogram build_seconds_;
  std::atomic<uint64_t> succeeded_{0}, failed_{0}, cancelled_{0}, steps_cached_{0}, steps_run_{0};
  int64_t last_probe_nanos_ = 0;  // I/O thread only
};

}  // namespace strata::coordinator
