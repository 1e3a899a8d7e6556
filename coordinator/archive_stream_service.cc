#include "coordinator/archive_stream_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "common/errno_status.h"
#include "common/logging.h"
#include "protocol/listener.h"

namespace strata::coordinator {

using protocol::Envelope;

namespace {

// A client that stops acknowledging a save this long is taken as gone.
constexpr auto kAckTimeout = std::chrono::seconds(60);

}  // namespace

ArchiveStreamService::~ArchiveStreamService() {
  MutexLock lock(mu_);
  for (auto& [key, flow] : saves_) {
    MutexLock flow_lock(flow->mu);
    flow->gone = true;
    flow->acked_changed.NotifyAll();
  }
  for (auto& [key, upload] : uploads_) {
    ::close(upload.fd);
    ::unlink(upload.path.c_str());
  }
}

bool ArchiveStreamService::Handles(const Envelope& envelope) const {
  switch (envelope.body_case()) {
    case Envelope::kImportImage:
      return envelope.import_image().streamed();
    case Envelope::kLoadImage:
      return envelope.load_image().streamed();
    case Envelope::kSaveImage:
      return envelope.save_image().streamed();
    case Envelope::kChunk:
      return true;
    default:
      return false;
  }
}

size_t ArchiveStreamService::pending_uploads() const {
  MutexLock lock(mu_);
  return uploads_.size();
}

void ArchiveStreamService::HandleClient(const std::string& peer, const Envelope& envelope) {
  switch (envelope.body_case()) {
    case Envelope::kImportImage:
    case Envelope::kLoadImage:
      return StartUpload(peer, envelope);
    case Envelope::kSaveImage:
      return StartSave(peer, envelope);
    case Envelope::kChunk:
      return OnChunk(peer, envelope);
    default:
      return Fail(peer, envelope.request_id(),
                  Status::InvalidArgument(std::string("not an archive message: ") +
                                          protocol::BodyName(envelope)));
  }
}

void ArchiveStreamService::Fail(const std::string& peer, uint64_t request_id,
                                const Status& status) {
  outbox_.Send(Endpoint::kClient, peer, protocol::ErrorReply(request_id, status));
}

void ArchiveStreamService::StartUpload(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  std::string path = tmp_dir_ + "/stream-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return Fail(peer, id, ErrnoStatus("create a temp file in", tmp_dir_));
  MutexLock lock(mu_);
  auto [it, added] = uploads_.try_emplace(PeerRequestKey(peer, id), Upload{envelope, fd, path, 0, clock_.NowMonotonicNanos()});
  if (!added) {
    ::close(fd);
    ::unlink(path.c_str());
    Fail(peer, id, Status::AlreadyExists("request " + std::to_string(id) +
                                         " already streams an archive on this connection"));
  }
}

void ArchiveStreamService::OnChunk(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  const v1::Chunk& chunk = envelope.chunk();
  const std::string key = PeerRequestKey(peer, id);
  Upload done;
  {
    MutexLock lock(mu_);
    if (auto save = saves_.find(key); save != saves_.end()) {  // an acknowledgement
      MutexLock flow_lock(save->second->mu);
      save->second->acked = std::max(save->second->acked, chunk.offset());
      save->second->acked_changed.NotifyAll();
      return;
    }
    auto it = uploads_.find(key);
    if (it == uploads_.end()) {
      // Late chunks of an upload that failed were already answered.
      LOG(DEBUG) << "chunk of request " << id << " from " << protocol::PeerName(peer)
                 << " dropped: no streamed upload";
      return;
    }
    Upload& upload = it->second;
    Status failed;
    if (chunk.offset() != upload.written) {
      failed = Status::InvalidArgument("archive chunk at offset " + std::to_string(chunk.offset()) +
                                       " but " + std::to_string(upload.written) +
                                       " bytes were received");
    } else {
      size_t off = 0;
      while (off < chunk.data().size() && failed.ok()) {
        ssize_t n = ::write(upload.fd, chunk.data().data() + off, chunk.data().size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          failed = ErrnoStatus("write", upload.path);
        } else {
          off += static_cast<size_t>(n);
        }
      }
      upload.written += chunk.data().size();
      upload.touched_nanos = clock_.NowMonotonicNanos();
    }
    if (failed.ok() && !chunk.last()) return;
    done = std::move(upload);
    uploads_.erase(it);
    if (!failed.ok()) {
      ::close(done.fd);
      ::unlink(done.path.c_str());
      return Fail(peer, id, failed);
    }
  }
  Finish(peer, std::move(done));
}

void ArchiveStreamService::Finish(const std::string& peer, Upload upload) {
  const uint64_t id = upload.request.request_id();
  Status closed = ::close(upload.fd) == 0 ? Status::OK() : ErrnoStatus("close", upload.path);
  upload.fd = -1;
  // The import or load reads the whole archive: on a thread of its own.
  auto shared = std::make_shared<Upload>(std::move(upload));
  threads_.Start(shared->request.has_import_image() ? "import" : "load", peer, id,
                 [this, peer, shared, closed] { ImportOrLoad(peer, *shared, closed); });
}

void ArchiveStreamService::ImportOrLoad(const std::string& peer, const Upload& upload,
                                        Status closed) {
  const uint64_t id = upload.request.request_id();
  Envelope reply = protocol::NewEnvelope(id);
  Status status = closed;
  if (status.ok() && upload.request.has_import_image()) {
    const v1::ImportImage& req = upload.request.import_image();
    ImportRequest in;
    in.source_path = upload.path;
    in.origin = req.source_path().empty() ? "-" : req.source_path();  // the client's name
    in.repo_tag = req.repo_tag();
    in.changes.assign(req.changes().begin(), req.changes().end());
    in.message = req.message();
    Result<Digest> out = images_.Import(in);
    if (out.ok()) {
      reply.mutable_import_result()->set_id(out->ToString());
    } else {
      status = out.status();
    }
  } else if (status.ok()) {
    Result<LoadOutcome> out = images_.Load(upload.path);
    if (out.ok()) {
      for (const auto& r : out->loaded_refs) reply.mutable_load_result()->add_loaded_refs(r);
      for (const auto& i : out->loaded_ids) reply.mutable_load_result()->add_loaded_ids(i);
    } else {
      status = out.status();
    }
  }
  ::unlink(upload.path.c_str());
  if (!status.ok()) return Fail(peer, id, status);
  outbox_.Send(Endpoint::kClient, peer, std::move(reply));
}

void ArchiveStreamService::DropUploads(
    const std::function<bool(const std::string&, const Upload&)>& drop, const Status& why) {
  std::vector<std::pair<std::string, uint64_t>> dropped;  // peer, request id
  {
    MutexLock lock(mu_);
    for (auto it = uploads_.begin(); it != uploads_.end();) {
      if (!drop(it->first, it->second)) {
        ++it;
        continue;
      }
      ::close(it->second.fd);
      ::unlink(it->second.path.c_str());
      const std::string& key = it->first;
      dropped.emplace_back(key.substr(0, key.rfind('/')), it->second.request.request_id());
      it = uploads_.erase(it);
    }
  }
  for (const auto& [peer, id] : dropped) {
    LOG(WARN) << "streamed upload " << id << " of " << protocol::PeerName(peer)
              << " dropped: " << why.message();
    Fail(peer, id, why);
  }
}

void ArchiveStreamService::Tick() {
  const int64_t now = clock_.NowMonotonicNanos();
  DropUploads(
      [&](const std::string&, const Upload& upload) {
        return now - upload.touched_nanos >= kUploadIdleNanos;
      },
      Status::TimedOut("no chunk of the archive came for " +
                               std::to_string(kUploadIdleNanos / 1'000'000'000) +
                               " s; send it again"));
}

void ArchiveStreamService::OnClientGone(const std::string& peer) {
  const std::string prefix = peer + "/";
  DropUploads([&](const std::string& key,
                  const Upload&) { return key.compare(0, prefix.size(), prefix) == 0; },
              Status::Cancelled("the client went away"));
}

void ArchiveStreamService::StartSave(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  const v1::SaveImage& req = envelope.save_image();
  std::string path = tmp_dir_ + "/save-XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return Fail(peer, id, ErrnoStatus("create a temp file in", tmp_dir_));
  ::close(fd);
  std::vector<std::string> names(req.names().begin(), req.names().end());
  auto flow = std::make_shared<SaveFlow>();
  {
    MutexLock lock(mu_);
    if (!saves_.try_emplace(PeerRequestKey(peer, id), flow).second) {
      ::unlink(path.c_str());
      return Fail(peer, id,
                  Status::AlreadyExists("request " + std::to_string(id) +
                                        " already streams an archive on this connection"));
    }
  }
  threads_.Start("save", peer, id, [this, peer, id, path, flow, names] {
    if (Status saved = images_.Save(names, path); !saved.ok()) {
      Fail(peer, id, saved);
    } else {
      SendSaved(peer, id, path, flow);
    }
    ::unlink(path.c_str());
    MutexLock lock(mu_);
    saves_.erase(PeerRequestKey(peer, id));
  });
}

void ArchiveStreamService::SendSaved(const std::string& peer, uint64_t request_id,
                                     const std::string& path, std::shared_ptr<SaveFlow> flow) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(peer, request_id, ErrnoStatus("open", path));
  std::string buffer(kChunk, '\0');
  uint64_t sent = 0;
  Status status;
  for (bool last = false; !last && status.ok();) {
    {
      // Flow control: never more than kSaveWindow unacknowledged bytes.
      MutexLock lock(flow->mu);
      const auto deadline = std::chrono::steady_clock::now() + kAckTimeout;
      while (!flow->gone && sent - flow->acked >= kSaveWindow) {
        if (!flow->acked_changed.WaitUntil(flow->mu, deadline)) break;
      }
      if (flow->gone || sent - flow->acked >= kSaveWindow) {
        status = Status::Unavailable("the client stopped reading the saved archive");
        break;
      }
    }
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus("read", path);
      break;
    }
    Envelope chunk = protocol::NewEnvelope(request_id);
    chunk.mutable_chunk()->set_offset(sent);
    chunk.mutable_chunk()->set_data(buffer.data(), static_cast<size_t>(n));
    last = n == 0;
    chunk.mutable_chunk()->set_last(last);
    sent += static_cast<uint64_t>(n);
    outbox_.Send(Endpoint::kClient, peer, std::move(chunk));
  }
  ::close(fd);
  if (!status.ok()) {
    LOG(WARN) << "streamed save for " << protocol::PeerName(peer) << ": " << status.message();
    return Fail(peer, request_id, status);
  }
  Envelope done = protocol::NewEnvelope(request_id);
  done.mutable_save_result()->set_size(sent);
  outbox_.Send(Endpoint::kClient, peer, std::move(done));
}

}  // namespace strata::coordinator
