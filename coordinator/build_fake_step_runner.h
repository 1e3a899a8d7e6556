#pragma once

// A StepRunner for tests: fabricates a small reproducible layer per step in
// the store's BlobStore (one file named after the step's key, holding its
// text), counts calls, fails steps whose text contains a chosen string and
// holds those with another until their build is cancelled.
// Thread-safe (stages of a build run steps concurrently).

#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "common/mutex.h"
#include "coordinator/build_step_runner.h"

namespace strata::coordinator {

class FakeStepRunner : public StepRunner {
 public:
  explicit FakeStepRunner(cache::BlobStore& blobs) : blobs_(blobs) {}

  Result<StepOutcome> Run(const StepJob& job, BuildScope& scope) EXCLUDES(mu_) override;

  // Steps whose text contains `needle` wait until their scope is cancelled
  // (at most 10 s, then they fail TimedOut) and return its reason.
  void HoldWhenTextContains(std::string needle) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    hold_needle_ = std::move(needle);
  }
  // Steps holding now.
  int holding() const EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return holding_;
  }
  // Held steps that ended because their scope was cancelled.
  int holds_cancelled() const EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return holds_cancelled_;
  }

  // Steps whose text contains `needle` exit 1.
  void FailWhenTextContains(std::string needle) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    fail_needle_ = std::move(needle);
  }
  // Steps whose text contains `needle` throw, as a bug deep in a runner would.
  void ThrowWhenTextContains(std::string needle) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    throw_needle_ = std::move(needle);
  }
  int calls() const EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return static_cast<int>(jobs_.size());
  }
  // The jobs run, in the order they reached the runner.
  std::vector<StepJob> jobs() const EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return jobs_;
  }
  void Reset() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    jobs_.clear();
  }

 private:
  cache::BlobStore& blobs_;
  mutable Mutex mu_;
  std::string fail_needle_ GUARDED_BY(mu_);
  std::string throw_needle_ GUARDED_BY(mu_);
  std::string hold_needle_ GUARDED_BY(mu_);
  int holding_ GUARDED_BY(mu_) = 0;
  int holds_cancelled_ GUARDED_BY(mu_) = 0;
  CondVar cancelled_;  // a held step's scope was cancelled
  std::vector<StepJob> jobs_ GUARDED_BY(mu_);
};

}  // namespace strata::coordinator
