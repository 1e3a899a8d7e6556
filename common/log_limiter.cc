#include "common/log_limiter.h"

#include <algorithm>

namespace strata {

bool LogLimiter::Allow(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_) {
    started_ = true;
    last_refill_ = now;
  }
  if (now > last_refill_) {
    std::chrono::duration<double> elapsed = now - last_refill_;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    last_refill_ = now;
  }
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return true;
  }
  ++suppressed_;
  return false;
}

uint64_t LogLimiter::TakeSuppressed() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = suppressed_;
  suppressed_ = 0;
  return n;
}

}  // namespace strata
