#include "metrics/histogram.h"

#include <algorithm>

namespace strata::metrics {

const std::vector<double>& Histogram::DurationBuckets() {
  static const std::vector<double> kBounds = {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
                                              1,      5,     10,    30,   60,   300, 1800};
  return kBounds;
}

void Histogram::Observe(double seconds) {
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
  MutexLock lock(mu_);
  ++counts_[bucket];
  sum_ += seconds;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot out;
  out.bounds = bounds_;
  MutexLock lock(mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    out.cumulative.push_back(running);
  }
  out.sum = sum_;
  out.count = running;
  return out;
}

}  // namespace strata::metrics
