#include "common/clock.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ClockTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(FormatRfc3339Nano(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Nano(1700000000LL * 1000000000LL + 120000000), "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(FormatRfc3339Nano(1700000000LL * 1000000000LL + 1), "2023-11-14T22:13:20.000000001Z");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(5);
  EXPECT_EQ(clock.NowUnixNanos(), 5);
  clock.Advance(10);
  EXPECT_EQ(clock.NowUnixNanos(), 15);
}

}  // namespace
}  // namespace strata
