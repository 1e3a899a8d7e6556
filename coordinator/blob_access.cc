#include "coordinator/blob_access.h"

#include <vector>

namespace strata::coordinator {

Status CheckBlobReadable(cache::Store& store, const Caller& caller, const std::string& digest) {
  if (caller.is_admin()) return Status::OK();
  const Status not_found = Status::NotFound("blob " + digest + " not found");
  Result<Digest> wanted = Digest::Parse(digest);
  if (!wanted.ok()) return Status::OK();  // the blob server says what is wrong with it
  // Images are not per namespace yet: every image's blobs are readable.
  ASSIGN_OR_RETURN(std::vector<cache::ImageRecord> images, store.metadata().ListImages());
  for (const cache::ImageRecord& image : images) {
    for (const Digest& blob : image.ReferencedBlobs()) {
      if (blob == *wanted) return Status::OK();
    }
  }
  ASSIGN_OR_RETURN(std::vector<cache::CacheEntry> entries, store.metadata().ListCacheEntries());
  for (const cache::CacheEntry& entry : entries) {
    if (entry.layer_digest == *wanted && (entry.shared || entry.ns == caller.ns)) {
      return Status::OK();
    }
  }
  return not_found;
}

}  // namespace strata::coordinator
