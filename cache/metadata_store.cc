#include "cache/metadata_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>

#include "cache/record_codec.h"

namespace strata::cache {

namespace {

// Column families, in the order of Impl::cf. Names are part of the format.
enum Family { kImages = 0, kTags, kBlobRefs, kCache, kBuilds, kMeta, kFamilyCount };
constexpr const char* kFamilyNames[kFamilyCount] = {"images", "tags",   "blobrefs",
                                                    "cache",  "builds", "meta"};
constexpr const char* kSchemaKey = "schema_version";

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::OK();
  std::string msg = what + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) {
    return Status::Corruption(msg + "; the store's database is damaged, run `strata system fsck`");
  }
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::Unavailable(what +
                               ": the store is locked, another strata process holds it; stop "
                               "that process or use a different --root (" +
                               s.ToString() + ")");
  }
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::Unavailable(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

std::string CacheKey(const Digest& key, std::string_view ns) {
  std::string k = key.ToString();
  k.push_back('\0');
  k.append(ns);
  return k;
}

Status CheckRef(std::string_view ref) {
  if (ref.empty() || ref.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("invalid image reference \"" + std::string(ref) +
                                   "\": expected a name like docker.io/library/busybox:latest");
  }
  return Status::OK();
}

}  // namespace

struct MetadataStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // all opened, owned
  rocksdb::ColumnFamilyHandle* cf[kFamilyCount] = {};
  rocksdb::WriteOptions write_options;
  std::string dir;
  std::mutex mu;  // serialises read-modify-write changes

  ~Impl() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    if (db) db->Close().PermitUncheckedError();
  }

  Result<std::optional<std::string>> Get(Family f, std::string_view key) {
    std::string value;
    rocksdb::Status s =
        db->Get(rocksdb::ReadOptions(), cf[f], rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    TRY(FromRocks(s, std::string("read ") + kFamilyNames[f] + " in " + dir));
    return std::optional<std::string>(std::move(value));
  }

  // Calls fn(key, value) for each entry whose key starts with `prefix`, in
  // key order, until fn returns a non-OK status.
  template <typename Fn>
  Status Scan(Family f, std::string_view prefix, Fn fn) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf[f]));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (key.substr(0, prefix.size()) != prefix) break;
      TRY(fn(key, std::string_view(it->value().data(), it->value().size())));
    }
    return FromRocks(it->status(), std::string("scan ") + kFamilyNames[f] + " in " + dir);
  }

  Status Write(rocksdb::WriteBatch* batch, const std::string& what) {
    return FromRocks(db->Write(write_options, batch), what + " in " + dir);
  }

  // Adds `deltas` to the blob reference counts in `batch`; collects the
  // blobs whose count drops to zero. REQUIRES: mu held.
  Status AdjustRefs(const std::map<Digest, int64_t>& deltas, rocksdb::WriteBatch* batch,
                    std::vector<Digest>* reached_zero) {
    for (const auto& [blob, delta] : deltas) {
      if (delta == 0) continue;
      std::string key = blob.ToString();
      ASSIGN_OR_RETURN(std::optional<std::string> raw, Get(kBlobRefs, key));
      uint64_t count = 0;
      if (raw) {
        ASSIGN_OR_RETURN(count, DecodeCount(*raw));
      }
      int64_t next = static_cast<int64_t>(count) + delta;
      if (next < 0) {
        return Status::Corruption("reference count of blob " + key + " would drop below zero (" +
                                  std::to_string(count) + " " + std::to_string(delta) +
                                  "); run `strata system fsck`");
      }
      if (next == 0) {
        TRY(FromRocks(batch->Delete(cf[kBlobRefs], key), "batch"));
        if (count > 0 && reached_zero) reached_zero->push_back(blob);
      } else {
        TRY(FromRocks(batch->Put(cf[kBlobRefs], key, EncodeCount(static_cast<uint64_t>(next))),
                      "batch"));
      }
    }
    return Status::OK();
  }

  // Tags pointing at `id`. REQUIRES: mu held (for a consistent answer).
  Result<std::vector<std::string>> TagsOf(const Digest& id) {
    std::vector<std::string> out;
    TRY(Scan(kTags, "", [&](std::string_view key, std::string_view value) -> Status {
      ASSIGN_OR_RETURN(Digest target, DecodeTag(value));
      if (target == id) out.emplace_back(key);
      return Status::OK();
    }));
    return out;
  }

  // Deletes image `record` in `batch` and drops its blob references.
  Status DeleteImage(const ImageRecord& record, rocksdb::WriteBatch* batch, RemoveOutcome* out) {
    TRY(FromRocks(batch->Delete(cf[kImages], record.id.ToString()), "batch"));
    std::map<Digest, int64_t> deltas;
    for (const Digest& blob : record.ReferencedBlobs()) deltas[blob] -= 1;
    TRY(AdjustRefs(deltas, batch, &out->unreferenced_blobs));
    out->deleted_images.push_back(record.id);
    return Status::OK();
  }
};

MetadataStore::MetadataStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetadataStore::~MetadataStore() = default;

Result<std::unique_ptr<MetadataStore>> MetadataStore::Open(const std::string& dir,
                                                           MetadataStoreOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create metadata directory " + dir + ": " + ec.message());

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.keep_log_file_num = 4;
  db_options.max_manifest_file_size = 16 << 20;

  // RocksDB wants every existing family opened; a newer strata may have added some.
  std::set<std::string> names(std::begin(kFamilyNames), std::end(kFamilyNames));
  names.insert(rocksdb::kDefaultColumnFamilyName);
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, dir, &existing).ok()) {
    names.insert(existing.begin(), existing.end());
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }

  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->write_options.sync = options.sync;
  rocksdb::DB* raw = nullptr;
  TRY(FromRocks(rocksdb::DB::Open(db_options, dir, descriptors, &impl->handles, &raw),
                "open metadata database " + dir));
  impl->db.reset(raw);
  for (size_t i = 0; i < descriptors.size(); ++i) {
    for (int f = 0; f < kFamilyCount; ++f) {
      if (descriptors[i].name == kFamilyNames[f]) impl->cf[f] = impl->handles[i];
    }
  }

  ASSIGN_OR_RETURN(std::optional<std::string> version, impl->Get(kMeta, kSchemaKey));
  if (!version) {
    TRY(FromRocks(impl->db->Put(impl->write_options, impl->cf[kMeta], kSchemaKey,
                                EncodeCount(kSchemaVersion)),
                  "write schema version in " + dir));
  } else {
    ASSIGN_OR_RETURN(uint64_t v, DecodeCount(*version));
    if (v > kSchemaVersion) {
      return Status::InvalidArgument("store " + dir + " has schema version " + std::to_string(v) +
                                     ", newer than this strata knows (" +
                                     std::to_string(kSchemaVersion) + "); upgrade strata");
    }
  }
  return std::unique_ptr<MetadataStore>(new MetadataStore(std::move(impl)));
}

Result<uint64_t> MetadataStore::SchemaVersion() {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(kMeta, kSchemaKey));
  if (!raw) return Status::Corruption("store " + impl_->dir + " has no schema version");
  return DecodeCount(*raw);
}

Status MetadataStore::PutImage(const ImageRecord& record, const std::vector<std::string>& tags) {
  if (record.id.empty() || record.id != record.config_digest) {
    return Status::InvalidArgument("image id " + record.id.ToString() +
                                   " must be its config digest " + record.config_digest.ToString());
  }
  for (const std::string& tag : tags) TRY(CheckRef(tag));
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(std::optional<ImageRecord> old, GetImage(record.id));
  std::map<Digest, int64_t> deltas;
  for (const Digest& blob : record.ReferencedBlobs()) deltas[blob] += 1;
  if (old) {
    for (const Digest& blob : old->ReferencedBlobs()) deltas[blob] -= 1;
  }
  rocksdb::WriteBatch batch;
  TRY(FromRocks(batch.Put(impl_->cf[kImages], record.id.ToString(), EncodeImage(record)), "batch"));
  for (const std::string& tag : tags) {
    TRY(FromRocks(batch.Put(impl_->cf[kTags], tag, EncodeTag(record.id)), "batch"));
  }
  TRY(impl_->AdjustRefs(deltas, &batch, nullptr));
  return impl_->Write(&batch, "store image " + record.id.ToString());
}

Result<std::optional<ImageRecord>> MetadataStore::GetImage(const Digest& id) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(kImages, id.ToString()));
  if (!raw) return std::optional<ImageRecord>();
  ASSIGN_OR_RETURN(ImageRecord record, DecodeImage(*raw));
  return std::optional<ImageRecord>(std::move(record));
}

Result<std::vector<ImageRecord>> MetadataStore::ListImages() {
  std::vector<ImageRecord> out;
  TRY(impl_->Scan(kImages, "", [&](std::string_view, std::string_view value) -> Status {
    ASSIGN_OR_RETURN(ImageRecord record, DecodeImage(value));
    out.push_back(std::move(record));
    return Status::OK();
  }));
  return out;
}

Result<ImageRecord> MetadataStore::FindImageByPrefix(std::string_view prefix) {
  std::string_view hex = prefix;
  if (hex.substr(0, 7) == "sha256:") hex.remove_prefix(7);
  bool valid = !hex.empty() && hex.size() <= 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (!valid) {
    return Status::InvalidArgument("\"" + std::string(prefix) +
                                   "\" is not an image id or id prefix (lowercase hex)");
  }
  std::vector<ImageRecord> found;
  TRY(impl_->Scan(kImages, "sha256:" + std::string(hex),
                  [&](std::string_view, std::string_view value) -> Status {
                    ASSIGN_OR_RETURN(ImageRecord record, DecodeImage(value));
                    found.push_back(std::move(record));
                    return Status::OK();
                  }));
  if (found.empty()) return Status::NotFound("no image with id " + std::string(prefix));
  if (found.size() > 1) {
    return Status::InvalidArgument("image id prefix " + std::string(prefix) + " is ambiguous (" +
                                   std::to_string(found.size()) +
                                   " images match); give more characters");
  }
  return std::move(found.front());
}

Status MetadataStore::Tag(std::string_view ref, const Digest& id) {
  TRY(CheckRef(ref));
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(std::optional<std::string> image, impl_->Get(kImages, id.ToString()));
  if (!image)
    return Status::NotFound("cannot tag " + std::string(ref) + ": no image " + id.ToString());
  rocksdb::WriteBatch batch;
  TRY(FromRocks(batch.Put(impl_->cf[kTags], rocksdb::Slice(ref.data(), ref.size()), EncodeTag(id)),
                "batch"));
  return impl_->Write(&batch, "tag " + std::string(ref));
}

Result<std::optional<Digest>> MetadataStore::ResolveTag(std::string_view ref) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(kTags, ref));
  if (!raw) return std::optional<Digest>();
  ASSIGN_OR_RETURN(Digest id, DecodeTag(*raw));
  return std::optional<Digest>(id);
}

Result<std::vector<std::pair<std::string, Digest>>> MetadataStore::ListTags() {
  std::vector<std::pair<std::string, Digest>> out;
  TRY(impl_->Scan(kTags, "", [&](std::string_view key, std::string_view value) -> Status {
    ASSIGN_OR_RETURN(Digest id, DecodeTag(value));
    out.emplace_back(std::string(key), id);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<std::string>> MetadataStore::TagsOf(const Digest& id) {
  return impl_->TagsOf(id);
}

Result<RemoveOutcome> MetadataStore::Untag(std::string_view ref, bool keep_image) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(std::optional<Digest> id, ResolveTag(ref));
  if (!id) return Status::NotFound("no such image: " + std::string(ref));
  RemoveOutcome out;
  rocksdb::WriteBatch batch;
  TRY(FromRocks(batch.Delete(impl_->cf[kTags], rocksdb::Slice(ref.data(), ref.size())), "batch"));
  out.untagged.emplace_back(ref);
  ASSIGN_OR_RETURN(std::vector<std::string> tags, impl_->TagsOf(*id));
  if (tags.size() <= 1 && !keep_image) {  // only `ref` itself
    ASSIGN_OR_RETURN(std::optional<ImageRecord> record, GetImage(*id));
    if (record) TRY(impl_->DeleteImage(*record, &batch, &out));
  }
  TRY(impl_->Write(&batch, "untag " + std::string(ref)));
  return out;
}

Result<RemoveOutcome> MetadataStore::RemoveImage(const Digest& id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(std::optional<ImageRecord> record, GetImage(id));
  if (!record) return Status::NotFound("no such image: " + id.ToString());
  RemoveOutcome out;
  rocksdb::WriteBatch batch;
  ASSIGN_OR_RETURN(std::vector<std::string> tags, impl_->TagsOf(id));
  for (const std::string& tag : tags) {
    TRY(FromRocks(batch.Delete(impl_->cf[kTags], tag), "batch"));
    out.untagged.push_back(tag);
  }
  TRY(impl_->DeleteImage(*record, &batch, &out));
  TRY(impl_->Write(&batch, "remove image " + id.ToString()));
  return out;
}

Result<uint64_t> MetadataStore::BlobRefCount(const Digest& blob) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(kBlobRefs, blob.ToString()));
  if (!raw) return uint64_t{0};
  return DecodeCount(*raw);
}

Result<std::map<Digest, uint64_t>> MetadataStore::ListBlobRefs() {
  std::map<Digest, uint64_t> out;
  TRY(impl_->Scan(kBlobRefs, "", [&](std::string_view key, std::string_view value) -> Status {
    ASSIGN_OR_RETURN(Digest blob, Digest::Parse(key));
    ASSIGN_OR_RETURN(uint64_t count, DecodeCount(value));
    out[blob] = count;
    return Status::OK();
  }));
  return out;
}

Status MetadataStore::PutCacheEntry(const CacheEntry& entry) {
  if (entry.key.empty()) return Status::InvalidArgument("cache entry without a key");
  if (entry.ns.find('\0') != std::string::npos) {
    return Status::InvalidArgument("cache namespace contains a NUL byte");
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(std::optional<CacheEntry> old, GetCacheEntry(entry.key, entry.ns));
  std::map<Digest, int64_t> deltas;
  for (const Digest& blob : entry.ReferencedBlobs()) deltas[blob] += 1;
  if (old) {
    for (const Digest& blob : old->ReferencedBlobs()) deltas[blob] -= 1;
  }
  rocksdb::WriteBatch batch;
  TRY(FromRocks(
      batch.Put(impl_->cf[kCache], CacheKey(entry.key, entry.ns), EncodeCacheEntry(entry)),
      "batch"));
  TRY(impl_->AdjustRefs(deltas, &batch, nullptr));
  return impl_->Write(&batch, "store cache entry " + entry.key.ToString());
}

Result<std::optional<CacheEntry>> MetadataStore::GetCacheEntry(const Digest& key,
                                                               std::string_view ns) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(kCache, CacheKey(key, ns)));
  if (!raw) return std::optional<CacheEntry>();
  ASSIGN_OR_RETURN(CacheEntry entry, DecodeCacheEntry(*raw));
  return std::optional<CacheEntry>(std::move(entry));
}

Result<std::vector<CacheEntry>> MetadataStore::GetCacheEntries(const Digest& key) {
  std::vector<CacheEntry> out;
  TRY(impl_->Scan(kCache, CacheKey(key, ""),
                  [&](std::string_view, std::string_view value) -> Status {
                    ASSIGN_OR_RETURN(CacheEntry entry, DecodeCacheEntry(value));
                    out.push_back(std::move(entry));
                    return Status::OK();
                  }));
  return out;
}

Result<std::vector<CacheEntry>> MetadataStore::ListCacheEntries() {
  std::vector<CacheEntry> out;
  TRY(impl_->Scan(kCache, "", [&](std::string_view, std::string_view value) -> Status {
    ASSIGN_OR_RETURN(CacheEntry entry, DecodeCacheEntry(value));
    out.push_back(std::move(entry));
    return Status::OK();
  }));
  return out;
}

Result<RemoveOutcome> MetadataStore::RemoveCacheEntry(const Digest& key, std::string_view ns) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  ASSIGN_OR_RETURN(std::optional<CacheEntry> entry, GetCacheEntry(key, ns));
  if (!entry) {
    return Status::NotFound("no cache entry " + key.ToString() + " in namespace \"" +
                            std::string(ns) + "\"");
  }
  RemoveOutcome out;
  rocksdb::WriteBatch batch;
  TRY(FromRocks(batch.Delete(impl_->cf[kCache], CacheKey(key, ns)), "batch"));
  std::map<Digest, int64_t> deltas;
  for (const Digest& blob : entry->ReferencedBlobs()) deltas[blob] -= 1;
  TRY(impl_->AdjustRefs(deltas, &batch, &out.unreferenced_blobs));
  TRY(impl_->Write(&batch, "remove cache entry " + key.ToString()));
  return out;
}

Status MetadataStore::PutBuild(const BuildRecord& record) {
  if (record.id.empty()) return Status::InvalidArgument("build record without an id");
  rocksdb::WriteBatch batch;
  TRY(FromRocks(batch.Put(impl_->cf[kBuilds], record.id, EncodeBuild(record)), "batch"));
  return impl_->Write(&batch, "store build " + record.id);
}

Result<std::optional<BuildRecord>> MetadataStore::GetBuild(std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(kBuilds, id));
  if (!raw) return std::optional<BuildRecord>();
  ASSIGN_OR_RETURN(BuildRecord record, DecodeBuild(*raw));
  return std::optional<BuildRecord>(std::move(record));
}

Result<std::vector<BuildRecord>> MetadataStore::ListBuilds() {
  std::vector<BuildRecord> out;
  TRY(impl_->Scan(kBuilds, "", [&](std::string_view, std::string_view value) -> Status {
    ASSIGN_OR_RETURN(BuildRecord record, DecodeBuild(value));
    out.push_back(std::move(record));
    return Status::OK();
  }));
  return out;
}

}  // namespace strata::cache
