#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/records.h"
#include "common/result.h"
#include "common/status.h"
#include "image/digest.h"

namespace strata::cache {

struct MetadataStoreOptions {
  // fsync the write-ahead log on every change (off only for benchmarks).
  bool sync = true;
};

// The store's index, a RocksDB database with one column family per record
// kind (images, tags, blobrefs, cache, builds, meta; docs/store-format.md).
//
// Every change is one atomic WriteBatch: an image, its tags and the reference
// counts of the blobs it uses change together or not at all. Reference counts
// count, per blob, the image records and cache entries that use it; the blob
// files themselves are the caller's (cache::Store deletes those a removal
// reports as unreferenced).
//
// One process at a time: opening a database another process holds fails with
// Unavailable. Thread-safe; changes are serialised inside.
class MetadataStore {
 public:
  static constexpr uint64_t kSchemaVersion = 1;

  // Opens (creating when missing) the database in directory `dir`.
  static Result<std::unique_ptr<MetadataStore>> Open(const std::string& dir,
                                                     MetadataStoreOptions options = {});
  ~MetadataStore();
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // --- images and tags ---
  // Stores `record` (replacing one with the same id), points each of `tags`
  // at it and takes one reference on each blob it uses, in one batch. A tag
  // that pointed at another image moves; that image stays (untagged).
  // REQUIRES: record.id == record.config_digest; tags are normalised
  // references ("docker.io/library/busybox:latest").
  Status PutImage(const ImageRecord& record, const std::vector<std::string>& tags);
  Result<std::optional<ImageRecord>> GetImage(const Digest& id);
  // Every image, by id.
  Result<std::vector<ImageRecord>> ListImages();
  // The one image whose id starts with `prefix` ("sha256:" optional).
  // NotFound when none does; InvalidArgument when several do.
  Result<ImageRecord> FindImageByPrefix(std::string_view prefix);

  // Points `ref` at the existing image `id`. NotFound when there is no such image.
  Status Tag(std::string_view ref, const Digest& id);
  Result<std::optional<Digest>> ResolveTag(std::string_view ref);
  // Every (reference, image id), by reference.
  Result<std::vector<std::pair<std::string, Digest>>> ListTags();
  Result<std::vector<std::string>> TagsOf(const Digest& id);
  // Removes the tag; when it was the image's last tag, removes the image too
  // unless `keep_image` (the image stays, untagged). NotFound when `ref` is
  // no tag.
  Result<RemoveOutcome> Untag(std::string_view ref, bool keep_image = false);
  // Removes the image and every tag pointing at it. NotFound when absent.
  Result<RemoveOutcome> RemoveImage(const Digest& id);

  // --- blob references ---
  // 0 when nothing references the blob.
  Result<uint64_t> BlobRefCount(const Digest& blob);
  // Every blob with a nonzero count.
  Result<std::map<Digest, uint64_t>> ListBlobRefs();

  // --- build cache ---
  // Stores `entry` under (entry.key, entry.ns), replacing what was there, and
  // moves the blob reference from the old layer to the new one.
  Status PutCacheEntry(const CacheEntry& entry);
  // Absent is not a failure: nullopt.
  Result<std::optional<CacheEntry>> GetCacheEntry(const Digest& key, std::string_view ns);
  // The entries of every namespace under `key` (to find shared ones).
  Result<std::vector<CacheEntry>> GetCacheEntries(const Digest& key);
  Result<std::vector<CacheEntry>> ListCacheEntries();
  // NotFound when absent.
  Result<RemoveOutcome> RemoveCacheEntry(const Digest& key, std::string_view ns);

  // --- builds ---
  Status PutBuild(const BuildRecord& record);
  Result<std::optional<BuildRecord>> GetBuild(std::string_view id);
  Result<std::vector<BuildRecord>> ListBuilds();

  // The schema version stored in `meta`.
  Result<uint64_t> SchemaVersion();

 private:
  struct Impl;
  explicit MetadataStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata::cache
