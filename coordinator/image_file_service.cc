#include "coordinator/image_file_service.h"

#include <utility>
#include <vector>

namespace strata::coordinator {
namespace {

using protocol::Envelope;

}  // namespace

bool ImageFileService::Handles(const Envelope& envelope) const {
  switch (envelope.body_case()) {
    case Envelope::kImportImage:
      return !envelope.import_image().streamed();
    case Envelope::kLoadImage:
      return !envelope.load_image().streamed();
    case Envelope::kSaveImage:
      return !envelope.save_image().streamed();
    case Envelope::kCommitImage:
      return true;
    default:
      return false;
  }
}

void ImageFileService::HandleClient(const std::string& peer, const Envelope& envelope) {
  threads_.Start(protocol::BodyName(envelope), peer, envelope.request_id(),
                 [this, peer, envelope] {
                   outbox_.Send(Endpoint::kClient, peer, Serve(envelope));
                 });
}

Envelope ImageFileService::Serve(const Envelope& request) {
  const uint64_t id = request.request_id();
  Envelope reply = protocol::NewEnvelope(id);
  switch (request.body_case()) {
    case Envelope::kImportImage: {
      const auto& req = request.import_image();
      ImportRequest in;
      in.source_path = req.source_path();
      in.origin = req.source_path();
      in.repo_tag = req.repo_tag();
      in.changes.assign(req.changes().begin(), req.changes().end());
      in.message = req.message();
      Result<Digest> out = images_.Import(in);
      if (!out.ok()) return protocol::ErrorReply(id, out.status());
      reply.mutable_import_result()->set_id(out->ToString());
      return reply;
    }
    case Envelope::kSaveImage: {
      const auto& req = request.save_image();
      std::vector<std::string> names(req.names().begin(), req.names().end());
      Status s = images_.Save(names, req.output_path());
      if (!s.ok()) return protocol::ErrorReply(id, s);
      reply.mutable_save_result();
      return reply;
    }
    case Envelope::kLoadImage: {
      Result<LoadOutcome> out = images_.Load(request.load_image().input_path());
      if (!out.ok()) return protocol::ErrorReply(id, out.status());
      auto* result = reply.mutable_load_result();
      for (const auto& r : out->loaded_refs) result->add_loaded_refs(r);
      for (const auto& i : out->loaded_ids) result->add_loaded_ids(i);
      return reply;
    }
    case Envelope::kCommitImage: {
      const auto& req = request.commit_image();
      CommitRequest in;
      in.image = req.image();
      in.layer_path = req.layer_path();
      in.changes.assign(req.changes().begin(), req.changes().end());
      in.message = req.message();
      in.author = req.author();
      in.repo_tag = req.repo_tag();
      in.created_by = req.created_by();
      in.container_config_json = req.container_config_json();
      Result<Digest> out = images_.Commit(in);
      if (!out.ok()) return protocol::ErrorReply(id, out.status());
      reply.mutable_import_result()->set_id(out->ToString());
      return reply;
    }
    default:
      return protocol::ErrorReply(
          id, Status::InvalidArgument(std::string("not a file request: ") +
                                      protocol::BodyName(request)));
  }
}

}  // namespace strata::coordinator
