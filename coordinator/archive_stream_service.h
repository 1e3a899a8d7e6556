#pragma once

// Image archives over the wire, for a client whose files are not on the
// coordinator's disk (`strata --host tcp://...`; docs/protocol.md "Streamed
// archives"):
//  - ImportImage{streamed} and LoadImage{streamed}: the client sends the
//    file as Chunk(R) messages (offsets contiguous from 0, last=true at the
//    end); the coordinator writes them to a temp file, then imports or
//    loads it and answers ImportResult / LoadResult (or Error), and removes
//    the temp file on every path;
//  - SaveImage{streamed}: the coordinator writes the archive to a temp file,
//    then sends it as Chunk(R) messages of 1 MiB, at most kSaveWindow bytes
//    ahead of what the client acknowledged (the client answers each chunk
//    with Chunk(R){offset = bytes received}), then SaveResult{size}.
// An upload that gets no chunk for 2 minutes, or whose client goes away,
// is dropped with its temp file and answered with an Error.
//
// Threads: the I/O thread calls Handles/HandleClient and writes the chunks
// to the temp file; each import, load and save (and a save's sending) runs
// on a thread of its own.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/mutex.h"
#include "coordinator/client_service.h"
#include "coordinator/image_service.h"
#include "coordinator/outbox.h"
#include "coordinator/request_threads.h"

namespace strata::coordinator {

class ArchiveStreamService : public ClientService {
 public:
  static constexpr uint64_t kChunk = 1 << 20;
  static constexpr uint64_t kSaveWindow = 8 * kChunk;

  // An upload with no chunk for this long is dropped with its temp file
  // (its client went away mid-stream).
  static constexpr int64_t kUploadIdleNanos = 120'000'000'000;

  // REQUIRES: images, outbox and clock outlive the service; `tmp_dir` exists.
  ArchiveStreamService(ImageService& images, Outbox& outbox, Clock& clock, std::string tmp_dir)
      : images_(images),
        outbox_(outbox),
        clock_(clock),
        tmp_dir_(std::move(tmp_dir)),
        threads_(outbox) {}
  ~ArchiveStreamService() override;

  bool Handles(const protocol::Envelope& envelope) const override;
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope) override;
  bool busy() const override { return threads_.running() > 0; }
  // Drops uploads idle for kUploadIdleNanos.
  void Tick() override EXCLUDES(mu_);
  // Drops the uploads of `peer`.
  void OnClientGone(const std::string& peer) override EXCLUDES(mu_);

  // Uploads in progress (for tests).
  size_t pending_uploads() const EXCLUDES(mu_);

 private:
  struct Upload {
    protocol::Envelope request;  // ImportImage or LoadImage
    int fd = -1;
    std::string path;
    uint64_t written = 0;
    int64_t touched_nanos = 0;  // the last chunk (or the start), monotonic
  };
  struct SaveFlow {
    Mutex mu;
    CondVar acked_changed;
    uint64_t acked GUARDED_BY(mu) = 0;
    bool gone GUARDED_BY(mu) = false;
  };

  void StartUpload(const std::string& peer, const protocol::Envelope& envelope);
  void OnChunk(const std::string& peer, const protocol::Envelope& envelope);
  // The upload is complete: import or load it, answer, drop the temp file.
  void Finish(const std::string& peer, Upload upload);
  // On a request thread: the import or load of a complete upload, its
  // answer; removes the temp file.
  void ImportOrLoad(const std::string& peer, const Upload& upload, Status closed);
  void StartSave(const std::string& peer, const protocol::Envelope& envelope);
  void SendSaved(const std::string& peer, uint64_t request_id, const std::string& path,
                 std::shared_ptr<SaveFlow> flow);
  void Fail(const std::string& peer, uint64_t request_id, const Status& status);
  // Drops the uploads `drop` selects (by key), closing and removing their
  // temp files; answers each with Error(`why`) (the client may still be there).
  void DropUploads(const std::function<bool(const std::string&, const Upload&)>& drop,
                   const Status& why) EXCLUDES(mu_);

  ImageService& images_;
  Outbox& outbox_;
  Clock& clock_;
  const std::string tmp_dir_;
  mutable Mutex mu_;
  std::map<std::string, Upload> uploads_ GUARDED_BY(mu_);                   // by peer/id
  std::map<std::string, std::shared_ptr<SaveFlow>> saves_ GUARDED_BY(mu_);  // by peer/id
  RequestThreads threads_;  // last: joined first
};

}  // namespace strata::coordinator
