#include "coordinator/build_step_entry.h"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace strata::coordinator {

std::string EntryMetadata(bool empty) { return nlohmann::json{{"v", 1}, {"empty", empty}}.dump(); }

bool EntryIsEmpty(const cache::CacheEntry& entry) {
  nlohmann::json j = nlohmann::json::parse(entry.metadata, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.value("empty", false);
}

Result<std::optional<cache::CacheEntry>> LookupStepEntry(cache::Store& store, const Digest& key,
                                                         const std::string& ns) {
  ASSIGN_OR_RETURN(std::optional<cache::CacheEntry> found, store.metadata().GetCacheEntry(key, ns));
  if (!found) {
    ASSIGN_OR_RETURN(std::vector<cache::CacheEntry> all, store.metadata().GetCacheEntries(key));
    for (auto& e : all) {
      if (e.shared) {
        found = std::move(e);
        break;
      }
    }
  }
  if (found && !found->layer_digest.empty()) {
    ASSIGN_OR_RETURN(bool present, store.blobs().Has(found->layer_digest));
    if (!present) return std::optional<cache::CacheEntry>();
  }
  return found;
}

Result<cache::CacheEntry> RecordStepEntry(cache::Store& store, const Digest& key,
                                          const std::string& ns, const StepOutcome& outcome,
                                          int64_t now_nanos, bool shared) {
  TRY(cache::VerifyBlob(store.blobs(), outcome.layer.digest));
  cache::CacheEntry entry;
  entry.key = key;
  entry.ns = ns;
  entry.shared = shared;
  entry.layer_digest = outcome.layer.digest;
  entry.diff_id = outcome.layer.diff_id;
  entry.size = outcome.layer.size;
  entry.uncompressed_size = outcome.layer.uncompressed_size;
  entry.media_type = outcome.layer.media_type;
  entry.metadata = EntryMetadata(outcome.empty);
  entry.created_unix_nanos = now_nanos;
  TRY(store.PutCacheEntry(entry));
  return entry;
}

Status ShareStepEntry(cache::Store& store, cache::CacheEntry& entry) {
  if (entry.shared) return Status::OK();
  entry.shared = true;
  return store.PutCacheEntry(entry);
}

}  // namespace strata::coordinator
