#pragma once

#include <cstdint>
#include <string>

namespace strata {

// Time, injected so tests run on a fake clock instead of sleeps. Two
// clocks: the wall clock for what is shown and stored (created dates), the
// monotonic one for intervals and deadlines (liveness, timeouts), which a
// step of the wall clock does not move.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUnixNanos() = 0;
  // Nanoseconds since an arbitrary start; never goes back.
  virtual int64_t NowMonotonicNanos() = 0;
};

// The system's real-time and steady clocks. Thread-safe.
class SystemClock : public Clock {
 public:
  int64_t NowUnixNanos() override;
  int64_t NowMonotonicNanos() override;
};

// A clock that moves only when told: Advance moves both times, StepWall
// the wall clock alone (as an NTP step does). Thread-compatible.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_unix_nanos = 1700000000LL * 1000000000LL) : now_(start_unix_nanos) {}
  int64_t NowUnixNanos() override { return now_; }
  int64_t NowMonotonicNanos() override { return monotonic_; }
  void Advance(int64_t nanos) {
    now_ += nanos;
    monotonic_ += nanos;
  }
  void StepWall(int64_t nanos) { now_ += nanos; }

 private:
  int64_t now_;
  int64_t monotonic_ = 1'000'000'000;
};

// "2024-01-02T03:04:05.123456789Z" (Go's time.RFC3339Nano, UTC; trailing
// zeros of the fraction dropped as Go does).
std::string FormatRfc3339Nano(int64_t unix_nanos);

}  // namespace strata
