#pragma once

// Coalesces identical in-flight steps (DESIGN.md "Cache key"): when several
// callers (stages of one build, or concurrent builds) need the same step at
// the same time, one runs it and the others wait and then take its cache
// entry instead of running it again.
//
// Thread-safe. A waiter never holds a lock while the leader produces, and a
// producer must not wait on another key of the same coalescer (steps do
// not), so there is no deadlock.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cache/records.h"
#include "common/mutex.h"
#include "common/result.h"

namespace strata::coordinator {

class StepCoalescer {
 public:
  struct Produced {
    cache::CacheEntry entry;
    bool led = false;  // this caller ran `produce`; false: another caller's entry
  };

  // Runs `produce` for `key` unless another caller is already producing it;
  // then waits for that caller and returns its entry. When the leader fails,
  // its waiters do not inherit its error: one of them leads the next attempt
  // (the failure is reported by the build it belongs to). `produce`'s own
  // error is returned to its caller.
  Result<Produced> Run(const std::string& key,
                       const std::function<Result<cache::CacheEntry>()>& produce) EXCLUDES(mu_);

  // Callers currently waiting for a leader (for tests and metrics).
  int waiting() const EXCLUDES(mu_);

 private:
  // Read and written under mu_ (reached through in_flight_ or a waiter's
  // copy of the pointer, which the analysis cannot follow).
  struct InFlight {
    bool done = false;
    std::optional<cache::CacheEntry> entry;  // set when the leader succeeded
  };

  mutable Mutex mu_;
  CondVar cv_;  // a leader finished
  std::map<std::string, std::shared_ptr<InFlight>> in_flight_ GUARDED_BY(mu_);
  int waiting_ GUARDED_BY(mu_) = 0;
};

}  // namespace strata::coordinator
