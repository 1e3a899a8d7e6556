#pragma once

// A StepRunner for tests: fabricates a small reproducible layer per step in
// the store's BlobStore (one file named after the step's key, holding its
// text), counts calls and fails steps whose text contains a chosen string.

#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "coordinator/build_step_runner.h"

namespace strata::coordinator {

class FakeStepRunner : public StepRunner {
 public:
  explicit FakeStepRunner(cache::BlobStore& blobs) : blobs_(blobs) {}

  Result<StepOutcome> Run(const StepJob& job, EventSink* events) override;

  // Steps whose text contains `needle` exit 1.
  void FailWhenTextContains(std::string needle) { fail_needle_ = std::move(needle); }
  int calls() const { return static_cast<int>(jobs_.size()); }
  const std::vector<StepJob>& jobs() const { return jobs_; }
  void Reset() { jobs_.clear(); }

 private:
  cache::BlobStore& blobs_;
  std::string fail_needle_;
  std::vector<StepJob> jobs_;
};

}  // namespace strata::coordinator
