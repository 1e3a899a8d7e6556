#include "common/log_limiter.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

using namespace std::chrono_literals;

TEST(LogLimiterTest, ABurstThenOneASecond) {
  LogLimiter limiter(/*burst=*/3, /*per_second=*/1);
  LogLimiter::Clock::time_point t0{};
  t0 += 100s;
  int allowed = 0;
  for (int i = 0; i < 1000; ++i) allowed += limiter.Allow(t0);
  EXPECT_EQ(allowed, 3);
  EXPECT_EQ(limiter.TakeSuppressed(), 997u);
  EXPECT_EQ(limiter.TakeSuppressed(), 0u);
  EXPECT_FALSE(limiter.Allow(t0 + 500ms));
  EXPECT_TRUE(limiter.Allow(t0 + 1000ms));
  EXPECT_FALSE(limiter.Allow(t0 + 1000ms));
  // A long quiet spell refills the burst, no more.
  int after_quiet = 0;
  for (int i = 0; i < 10; ++i) after_quiet += limiter.Allow(t0 + 1h);
  EXPECT_EQ(after_quiet, 3);
}

TEST(LogLimiterTest, EachCallSiteHasItsOwnLimiter) {
  SetLogLevel(LogLevel::kError);  // nothing printed; the limiters still count
  int a = 0;
  int b = 0;
  for (int i = 0; i < 50; ++i) {
    LOG_LIMITED(ERROR) << "site a " << ++a;
    LOG_LIMITED(ERROR) << "site b " << ++b;
  }
  // Only allowed lines evaluate their stream: each site got its own burst.
  EXPECT_EQ(a, 10);
  EXPECT_EQ(b, 10);
  SetLogLevel(LogLevel::kWarn);
}

}  // namespace
}  // namespace strata
