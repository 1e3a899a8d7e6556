#pragma once

// A Prometheus histogram of durations in seconds: cumulative buckets, sum
// and count (docs/operations.md "Metrics"). Thread-safe.

#include <cstdint>
#include <vector>

#include "common/mutex.h"

namespace strata::metrics {

class Histogram {
 public:
  // Upper bounds of the buckets, seconds, increasing; +Inf is implied.
  static const std::vector<double>& DurationBuckets();

  explicit Histogram(std::vector<double> bounds = DurationBuckets())
      : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

  void Observe(double seconds) EXCLUDES(mu_);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const EXCLUDES(mu_);

 private:
  const std::vector<double> bounds_;
  mutable Mutex mu_;
  std::vector<uint64_t> counts_ GUARDED_BY(mu_);  // per bucket, not cumulative
  double sum_ GUARDED_BY(mu_) = 0;
};

}  // namespace strata::metrics
