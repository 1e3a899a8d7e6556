#include "common/numbers.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ParseInt64Test, AcceptsWholeNumbers) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("42"), 42);
  EXPECT_EQ(ParseInt64("+7"), 7);
  EXPECT_EQ(ParseInt64("-12"), -12);
  EXPECT_EQ(ParseInt64("9223372036854775807"), INT64_MAX);
}

TEST(ParseInt64Test, RefusesJunkAndOverflowInsteadOfThrowing) {
  for (const char* bad : {"", "+", "-", " 1", "1 ", "1x", "0x10", "1.5", "99999999999999999999",
                          "-99999999999999999999", "++1"}) {
    EXPECT_EQ(ParseInt64(bad), std::nullopt) << bad;
  }
}

TEST(ParseInt64Test, InRange) {
  EXPECT_EQ(ParseInt64InRange("65535", 0, 65535), 65535);
  EXPECT_EQ(ParseInt64InRange("65536", 0, 65535), std::nullopt);
  EXPECT_EQ(ParseInt64InRange("99999999999", 0, INT32_MAX), std::nullopt);
}

TEST(ParseDoubleTest, AcceptsDecimalsRefusesTheRest) {
  EXPECT_EQ(ParseDouble("1.5"), 1.5);
  EXPECT_EQ(ParseDouble(".5"), 0.5);
  EXPECT_EQ(ParseDouble("2"), 2.0);
  for (const char* bad : {"", ".", "x", "1.5x", "inf", "nan", "1e999"}) {
    EXPECT_EQ(ParseDouble(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace strata
