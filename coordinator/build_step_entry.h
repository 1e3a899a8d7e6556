#pragma once

// A step's cache entry (docs/build-cache.md): looked up for the build's
// namespace or a shared one, and recorded once its layer blob is verified.
// Internal to coordinator/plan_run.cc.

#include <cstdint>
#include <optional>
#include <string>

#include "cache/records.h"
#include "cache/store.h"
#include "common/result.h"
#include "coordinator/build_step_runner.h"

namespace strata::coordinator {

// CacheEntry::metadata: {"v":1,"empty":BOOL}.
std::string EntryMetadata(bool empty);
bool EntryIsEmpty(const cache::CacheEntry& entry);

// The entry of `key` for namespace `ns`, else a shared one; absent when its
// layer blob is gone (a miss).
Result<std::optional<cache::CacheEntry>> LookupStepEntry(cache::Store& store, const Digest& key,
                                                         const std::string& ns);

// Verifies the step's layer blob, then writes its cache entry (created at
// `now_nanos`) for `ns`, readable by every namespace when `shared`.
Result<cache::CacheEntry> RecordStepEntry(cache::Store& store, const Digest& key,
                                          const std::string& ns, const StepOutcome& outcome,
                                          int64_t now_nanos, bool shared = false);

// Makes `entry` (of its own namespace) shared, as `build --cache-share`
// does for the entries it hits. No change when it already is.
Status ShareStepEntry(cache::Store& store, cache::CacheEntry& entry);

}  // namespace strata::coordinator
