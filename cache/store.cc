#include "cache/store.h"

#include <map>
#include <set>

#include "cache/file_blob_store.h"
#include "common/file_util.h"
#include "common/free_space.h"
#include "common/logging.h"

namespace strata::cache {

Result<std::unique_ptr<Store>> Store::Open(const std::string& root, StoreOptions options) {
  // RocksDB asserts (and so aborts) when its first writes fail: refuse a
  // full disk with a clear message before opening it.
  TRY(MakeDirs(root, 0700));
  if (options.min_free_bytes_to_open > 0) {
    TRY(RequireFreeSpace(root, options.min_free_bytes_to_open, "the store"));
  }
  // The database lock comes first: it makes this process the root's only user
  // before the blob store clears tmp/.
  ASSIGN_OR_RETURN(std::unique_ptr<MetadataStore> metadata,
                   MetadataStore::Open(root + "/db", options.metadata));
  ASSIGN_OR_RETURN(std::unique_ptr<FileBlobStore> blobs, FileBlobStore::Open(root));
  auto store = std::make_unique<Store>(std::move(blobs), std::move(metadata));
  if (options.collect_garbage_on_open) {
    ASSIGN_OR_RETURN(GcReport gc, store->CollectGarbage());
    if (!gc.removed_blobs.empty()) {
      LOG(INFO) << "store " << root << ": removed " << gc.removed_blobs.size()
                << " unreferenced blob(s), " << gc.removed_bytes << " bytes";
    }
  }
  return store;
}

Store::Store(std::unique_ptr<BlobStore> blobs, std::unique_ptr<MetadataStore> metadata)
    : blobs_(std::move(blobs)), metadata_(std::move(metadata)) {}

Status Store::RequireBlobs(const std::vector<Digest>& blobs, const std::string& user) {
  for (const Digest& blob : blobs) {
    ASSIGN_OR_RETURN(bool present, blobs_->Has(blob));
    if (!present) {
      return Status::NotFound("cannot record " + user + ": its blob " + blob.ToString() +
                              " is not in the store (removed meanwhile?); store the blob and retry")
          .WithRetryable(true);
    }
  }
  return Status::OK();
}

Status Store::PutImage(const ImageRecord& record, const std::vector<std::string>& tags) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(RequireBlobs(record.ReferencedBlobs(), "image " + record.id.ToString()));
  return metadata_->PutImage(record, tags);
}

Status Store::PutCacheEntry(const CacheEntry& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  TRY(RequireBlobs(entry.ReferencedBlobs(), "cache entry " + entry.key.ToString()));
  return metadata_->PutCacheEntry(entry);
}

Status Store::DeleteBlobs(const std::vector<Digest>& blobs) {
  for (const Digest& blob : blobs) {
    Status s = blobs_->Delete(blob);
    if (!s.ok() && !s.IsNotFound()) {
      LOG(WARN) << "could not delete unreferenced blob " << blob.ToString() << " (" << s.ToString()
                << "); the next garbage collection removes it";
    }
  }
  return Status::OK();
}

Result<RemoveOutcome> Store::Untag(std::string_view ref, bool keep_image) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(RemoveOutcome out, metadata_->Untag(ref, keep_image));
  TRY(DeleteBlobs(out.unreferenced_blobs));
  return out;
}

Result<RemoveOutcome> Store::RemoveImage(const Digest& id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(RemoveOutcome out, metadata_->RemoveImage(id));
  TRY(DeleteBlobs(out.unreferenced_blobs));
  return out;
}

Result<RemoveOutcome> Store::RemoveCacheEntry(const Digest& key, std::string_view ns) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(RemoveOutcome out, metadata_->RemoveCacheEntry(key, ns));
  TRY(DeleteBlobs(out.unreferenced_blobs));
  return out;
}

Result<FsckReport> Store::Check(bool verify_content) {
  std::lock_guard<std::mutex> lock(mu_);
  FsckReport report;
  ASSIGN_OR_RETURN(std::vector<Digest> listed, blobs_->List());
  std::set<Digest> present(listed.begin(), listed.end());
  for (const Digest& blob : listed) {
    ++report.blobs_checked;
    if (!verify_content) continue;
    Status s = VerifyBlob(*blobs_, blob);
    if (!s.ok()) report.problems.push_back(s.message());
  }

  std::map<Digest, uint64_t> recount;
  auto use = [&](const std::vector<Digest>& blobs, const std::string& user) {
    for (const Digest& blob : blobs) {
      ++recount[blob];
      if (!present.count(blob)) {
        report.problems.push_back(user + " uses blob " + blob.ToString() + ", which is missing");
      }
    }
  };
  ASSIGN_OR_RETURN(std::vector<ImageRecord> images, metadata_->ListImages());
  std::set<Digest> image_ids;
  for (const ImageRecord& image : images) {
    ++report.images_checked;
    image_ids.insert(image.id);
    use(image.ReferencedBlobs(), "image " + image.id.ToString());
  }
  ASSIGN_OR_RETURN(std::vector<CacheEntry> entries, metadata_->ListCacheEntries());
  for (const CacheEntry& entry : entries) {
    ++report.cache_entries_checked;
    use(entry.ReferencedBlobs(), "cache entry " + entry.key.ToString() + " (" + entry.ns + ")");
  }
  ASSIGN_OR_RETURN(auto tags, metadata_->ListTags());
  for (const auto& [ref, id] : tags) {
    if (!image_ids.count(id)) {
      report.problems.push_back("tag " + ref + " names image " + id.ToString() +
                                ", which does not exist");
    }
  }
  ASSIGN_OR_RETURN(auto counts, metadata_->ListBlobRefs());
  for (const auto& [blob, count] : counts) {
    uint64_t want = recount.count(blob) ? recount[blob] : 0;
    if (count != want) {
      report.problems.push_back("blob " + blob.ToString() + " has reference count " +
                                std::to_string(count) + " but " + std::to_string(want) +
                                " records use it");
    }
  }
  for (const auto& [blob, want] : recount) {
    if (!counts.count(blob)) {
      report.problems.push_back("blob " + blob.ToString() + " has no reference count but " +
                                std::to_string(want) + " records use it");
    }
  }
  for (const Digest& blob : listed) {
    if (!recount.count(blob)) report.orphan_blobs.push_back(blob);
  }
  return report;
}

Status Store::Fsck() {
  ASSIGN_OR_RETURN(FsckReport report, Check(true));
  if (report.ok()) return Status::OK();
  std::string msg = std::to_string(report.problems.size()) + " problem(s) in the store:";
  for (const std::string& p : report.problems) msg += "\n  " + p;
  return Status::Corruption(msg);
}

Result<GcReport> Store::CollectGarbage() {
  std::lock_guard<std::mutex> lock(mu_);
  GcReport report;
  // Kept: every blob with a reference count, and (defensively, should the
  // counts ever be wrong) every blob a record names.
  std::set<Digest> keep;
  ASSIGN_OR_RETURN(auto counts, metadata_->ListBlobRefs());
  for (const auto& [blob, count] : counts) keep.insert(blob);
  ASSIGN_OR_RETURN(std::vector<ImageRecord> images, metadata_->ListImages());
  for (const ImageRecord& image : images) {
    for (const Digest& blob : image.ReferencedBlobs()) keep.insert(blob);
  }
  ASSIGN_OR_RETURN(std::vector<CacheEntry> entries, metadata_->ListCacheEntries());
  for (const CacheEntry& entry : entries) {
    for (const Digest& blob : entry.ReferencedBlobs()) keep.insert(blob);
  }
  ASSIGN_OR_RETURN(std::vector<Digest> listed, blobs_->List());
  for (const Digest& blob : listed) {
    if (keep.count(blob)) continue;
    auto size = blobs_->Size(blob);
    Status s = blobs_->Delete(blob);
    if (!s.ok() && !s.IsNotFound()) return s.Annotate("garbage collection");
    report.removed_blobs.push_back(blob);
    if (size.ok()) report.removed_bytes += *size;
  }
  return report;
}

}  // namespace strata::cache
