#include "coordinator/context_upload_receiver.h"

#include <memory>
#include <optional>
#include <utility>

#include "common/logging.h"
#include "protocol/listener.h"

namespace strata::coordinator {

using protocol::Envelope;

void ContextUploadReceiver::OnContextUploaded(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  std::shared_ptr<BuildSession> session = sessions_.Find(peer, id);
  if (!session) {
    LOG(WARN) << "ContextUploaded from " << protocol::PeerName(peer) << " for request " << id
              << ", which is no running build";
    return;
  }
  // The context files were written without waiting for the disk, one by
  // one; one syncfs makes them all durable before a job reads them.
  if (Status synced = blobs_.Sync(); !synced.ok()) {
    session->UploadFailed(synced.Annotate("storing the build context"));
  }
  session->ContextUploaded();
}

void ContextUploadReceiver::OnBlobPut(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  std::optional<Result<Digest>> done =
      receiver_.Put("c/" + PeerRequestKey(peer, id), envelope.blob_put());
  if (!done) return;
  if (std::shared_ptr<BuildSession> session = sessions_.Find(peer, id)) {
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

}  // namespace strata::coordinator
