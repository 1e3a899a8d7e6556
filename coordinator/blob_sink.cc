#include "coordinator/blob_sink.h"

namespace strata::coordinator {

NewBlobs::~NewBlobs() {
  for (const Digest& d : added_) blobs_.Delete(d).PermitUncheckedError();
}

Status NewBlobs::Commit(cache::BlobWriter& writer, const Digest& digest) {
  ASSIGN_OR_RETURN(bool had, blobs_.Has(digest));
  ASSIGN_OR_RETURN(Digest stored, writer.Commit(digest));
  if (!had) added_.push_back(stored);
  return Status::OK();
}

Result<Digest> NewBlobs::Put(std::string_view data) {
  Digest digest = Digest::Sha256Of(data);
  ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobWriter> writer, blobs_.Create());
  TRY(writer->Write(data.data(), data.size()));
  TRY(Commit(*writer, digest));
  return digest;
}

}  // namespace strata::coordinator
