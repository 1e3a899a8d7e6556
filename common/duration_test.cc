#include "common/duration.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(ParseGoDurationTest, ReadsGoDurations) {
  EXPECT_EQ(ParseGoDuration("0"), 0);
  EXPECT_EQ(ParseGoDuration("90s"), 90 * kSecond);
  EXPECT_EQ(ParseGoDuration("1m30s"), 90 * kSecond);
  EXPECT_EQ(ParseGoDuration("1.5h"), 5400 * kSecond);
  EXPECT_EQ(ParseGoDuration("250ms"), kSecond / 4);
  EXPECT_EQ(ParseGoDuration("3us"), 3000);
  EXPECT_EQ(ParseGoDuration("3\xC2\xB5s"), 3000);
  EXPECT_EQ(ParseGoDuration("7ns"), 7);
  EXPECT_EQ(ParseGoDuration(".5s"), kSecond / 2);
  EXPECT_EQ(ParseGoDuration("24h"), 86400 * kSecond);
}

TEST(ParseGoDurationTest, RefusesJunk) {
  for (const char* bad : {"", "10", "s", "-5s", "+5s", "5 s", "5x", "1..5s", ".s", "5s ",
                          "99999999999999999999h", "3000000h"}) {
    EXPECT_FALSE(ParseGoDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace strata
