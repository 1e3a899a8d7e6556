#pragma once

#include <cstdint>
#include <string>

namespace strata {

// Wall-clock time, injected so tests run on a fake clock instead of sleeps.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUnixNanos() = 0;
};

// The system's real-time clock. Thread-safe.
class SystemClock : public Clock {
 public:
  int64_t NowUnixNanos() override;
};

// A clock that moves only when told. Thread-compatible.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_unix_nanos = 1700000000LL * 1000000000LL) : now_(start_unix_nanos) {}
  int64_t NowUnixNanos() override { return now_; }
  void Advance(int64_t nanos) { now_ += nanos; }

 private:
  int64_t now_;
};

// "2024-01-02T03:04:05.123456789Z" (Go's time.RFC3339Nano, UTC; trailing
// zeros of the fraction dropped as Go does).
std::string FormatRfc3339Nano(int64_t unix_nanos);

}  // namespace strata
