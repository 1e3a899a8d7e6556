#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "cache/metadata_store.h"
#include "cache/records.h"

namespace strata::cache {

struct StoreOptions {
  // Remove blobs nothing references when opening (left by a crash between a
  // metadata change and the blob deletes, or between a blob write and the
  // record that would have used it).
  bool collect_garbage_on_open = true;
  // Open refuses a file system with less room than this (RocksDB cannot
  // start on a full disk without aborting); 0 skips the check.
  uint64_t min_free_bytes_to_open = 16 << 20;
  MetadataStoreOptions metadata;
};

// What Check found. Problems make the store inconsistent; orphans are
// expected after a crash and only cost space.
struct FsckReport {
  std::vector<std::string> problems;
  std::vector<Digest> orphan_blobs;  // present, referenced by nothing
  size_t blobs_checked = 0;
  size_t images_checked = 0;
  size_t cache_entries_checked = 0;

  bool ok() const { return problems.empty(); }
};

struct GcReport {
  std::vector<Digest> removed_blobs;
  uint64_t removed_bytes = 0;
};

// The local store: content-addressed blob files plus the metadata index that
// says which blobs images and cache entries use.
//
//   <root>/db/                 RocksDB (MetadataStore)
//   <root>/blobs/sha256/<hex>  FileBlobStore
//   <root>/tmp/
//
// Order of operations (the crash-consistency argument of
// docs/store-format.md): blobs are durable before a record names them;
// records stop naming blobs before their files are deleted. So a crash leaves
// at worst blob files nothing references, which CollectGarbage removes.
//
// Thread-safe. Changes that add or remove blob references are serialised, so
// a removal cannot delete a blob an addition has just checked.
class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& root, StoreOptions options = {});
  // Assembles a store from parts (a fake or fault-injecting BlobStore in tests).
  Store(std::unique_ptr<BlobStore> blobs, std::unique_ptr<MetadataStore> metadata);

  BlobStore& blobs() { return *blobs_; }
  MetadataStore& metadata() { return *metadata_; }

  // MetadataStore::PutImage, after checking that every blob the record uses
  // is present (NotFound, retryable, when one is not).
  Status PutImage(const ImageRecord& record, const std::vector<std::string>& tags);
  // MetadataStore::PutCacheEntry, after checking the entry's layer is present.
  Status PutCacheEntry(const CacheEntry& entry);
  // The metadata change, then the delete of each blob it left unreferenced.
  // A failed blob delete is logged and left for CollectGarbage: the removal
  // itself has happened.
  Result<RemoveOutcome> Untag(std::string_view ref, bool keep_image = false);
  Result<RemoveOutcome> RemoveImage(const Digest& id);
  Result<RemoveOutcome> RemoveCacheEntry(const Digest& key, std::string_view ns);

  // Checks the invariants of docs/store-format.md: every blob's content
  // matches its name (when `verify_content`), every record's blobs exist,
  // every tag names an image, every reference count equals the count
  // recomputed from the records. Changes nothing.
  Result<FsckReport> Check(bool verify_content = true);
  // Check, as a Status: Corruption listing the problems, OK otherwise.
  Status Fsck();
  // Deletes every blob that no record references. Safe at any time, but a
  // blob written and not yet recorded looks unreferenced: the PutImage or
  // PutCacheEntry that follows then fails with a retryable NotFound. Run it
  // at open (the default) or when imports are idle.
  Result<GcReport> CollectGarbage();

 private:
  Status DeleteBlobs(const std::vector<Digest>& blobs);
  Status RequireBlobs(const std::vector<Digest>& blobs, const std::string& user);

  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<MetadataStore> metadata_;
  std::mutex mu_;  // serialises reference-changing operations and GC
};

}  // namespace strata::cache
