// Rate limits for log lines that a peer can trigger at will (malformed
// frames, refused messages): each call site of LOG_LIMITED writes a burst of
// lines, then at most one a second, and the next line it writes says how
// many it held back. A flood of bad input costs a few lines, not the disk.
#ifndef STRATA_COMMON_LOG_LIMITER_H_
#define STRATA_COMMON_LOG_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <mutex>

#include "common/logging.h"

namespace strata {

// A token bucket: `burst` lines at once, refilled at `per_second`. Thread-safe.
class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogLimiter(double burst = 10, double per_second = 1)
      : tokens_(burst), burst_(burst), rate_(per_second) {}

  // Whether a line may be written at `now`; a refused line is counted.
  bool Allow(Clock::time_point now = Clock::now());
  // Lines refused since the last call; resets the count.
  uint64_t TakeSuppressed();

 private:
  std::mutex mu_;
  double tokens_;                  // GUARDED_BY(mu_)
  Clock::time_point last_refill_;  // GUARDED_BY(mu_)
  bool started_ = false;           // GUARDED_BY(mu_)
  uint64_t suppressed_ = 0;        // GUARDED_BY(mu_)
  const double burst_;
  const double rate_;
};

// One limited log statement: appends "(N similar lines suppressed)" when
// its limiter held lines back since the last one written.
class LimitedLogMessage {
 public:
  LimitedLogMessage(LogLevel level, LogLimiter& limiter) : message_(level), limiter_(limiter) {}
  ~LimitedLogMessage() {
    if (uint64_t n = limiter_.TakeSuppressed(); n > 0) {
      message_.stream() << " (" << n << " similar lines suppressed)";
    }
  }
  std::ostream& stream() { return message_.stream(); }

 private:
  LogMessage message_;
  LogLimiter& limiter_;
};

}  // namespace strata

// LOG_LIMITED(WARN) << "dropped a frame from " << peer;
// Each expansion has a limiter of its own (a lambda's static).
#define LOG_LIMITED(severity)                                        \
  STRATA_LOG_LIMITED_WITH(severity, ([]() -> ::strata::LogLimiter& { \
                            static ::strata::LogLimiter limiter;     \
                            return limiter;                          \
                          }()))
#define STRATA_LOG_LIMITED_WITH(severity, limiter)                         \
  !::strata::LogEnabled(STRATA_LOG_LEVEL_##severity) || !(limiter).Allow() \
      ? (void)0                                                            \
      : ::strata::LogVoidify() &                                           \
            ::strata::LimitedLogMessage(STRATA_LOG_LEVEL_##severity, (limiter)).stream()

#endif  // STRATA_COMMON_LOG_LIMITER_H_
