#pragma once

// The coordinator side of `strata build` and of workers (docs/protocol.md
// "Builds and workers"): SubmitBuild starts a build on its own thread
// (plan, cache, jobs through the WorkerPool, BuildEvents and a BuildResult
// back to the client); the worker endpoint's messages feed the pool; blobs
// move both ways in 1 MiB BlobPut chunks.
//
// Threads: Handle* are called by the I/O thread only; builds run on their
// own threads and send through the Outbox.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cache/store.h"
#include "common/clock.h"
#include "coordinator/blob_transfer.h"
#include "coordinator/build_runner.h"
#include "coordinator/image_puller.h"
#include "coordinator/outbox.h"
#include "coordinator/protocol_step_runner.h"
#include "coordinator/request_credentials.h"
#include "coordinator/worker_pool.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

class BuildSession;

// The pool's JobSender over the Outbox: Jobs go to the worker endpoint with
// request ids of their own. Thread-safe.
class OutboxJobSender : public JobSender {
 public:
  explicit OutboxJobSender(Outbox& outbox) : outbox_(outbox) {}
  Status SendJob(const std::string& peer, const v1::Job& job) override;

 private:
  Outbox& outbox_;
  // Far from the ids a worker numbers its own requests with (1, 2, ...).
  std::atomic<uint64_t> next_request_{uint64_t{1} << 40};
};

struct BuildServiceOptions {
  // How long a build waits for ContextUploaded after MissingBlobs.
  std::chrono::milliseconds upload_timeout{std::chrono::minutes(10)};
};

class BuildService : public ContextUploader {
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
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope);
  // Every message of the worker endpoint.
  void HandleWorker(const std::string& peer, const protocol::Envelope& envelope);

  // Asks a running build whose context manifest lists all of `digests` to
  // upload them (ContextUploader for the shared ProtocolStepRunner).
  Status Upload(const std::vector<Digest>& digests) override;

  // Builds running: while non-zero the coordinator is not idle.
  int running_builds() const { return running_.load(); }

 private:
  void StartBuild(const std::string& peer, const protocol::Envelope& envelope);
  void RunBuild(std::shared_ptr<BuildSession> session, v1::SubmitBuild request);
  // Sends the session's last message and forgets it (once per session).
  void EndSession(const std::shared_ptr<BuildSession>& session, protocol::Envelope last);
  void ClientBlobPut(const std::string& peer, const protocol::Envelope& envelope);
  void ReapFinished();
  // The ENV/WORKDIR/SHELL of a FROM image for the planner; nullopt when
  // the store has no such image (the runner then reports it at its line).
  std::optional<dockerfile::BaseImageScope> BaseImageScopeOf(const std::string& name);
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
  ImagePuller* puller_ = nullptr;
  RequestCredentials* credentials_ = nullptr;
  BlobReceiver receiver_;         // worker uploads (layers); I/O thread only
  BlobReceiver client_receiver_;  // context files, synced at ContextUploaded; I/O thread only

  std::mutex sessions_mu_;
  std::map<std::string, std::shared_ptr<BuildSession>> sessions_;  // by peer + request id
  struct BuildThread {
    std::shared_ptr<BuildSession> session;
    std::thread thread;
  };
  std::vector<BuildThread> threads_;  // I/O thread only
  std::atomic<int> running_{0};
  std::atomic<uint64_t> next_build_{0};
};

}  // namespace strata::coordinator
