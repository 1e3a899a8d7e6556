#include "common/byte_size.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ParseByteSizeTest, PlainBytesAndUnits) {
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("1073741824"), 1073741824u);
  EXPECT_EQ(ParseByteSize("512b"), 512u);
  EXPECT_EQ(ParseByteSize("512k"), 512u * 1024);
  EXPECT_EQ(ParseByteSize("2g"), 2ull << 30);
  EXPECT_EQ(ParseByteSize("2G"), 2ull << 30);
  EXPECT_EQ(ParseByteSize("10GiB"), 10ull << 30);
  EXPECT_EQ(ParseByteSize("10GB"), 10'000'000'000ull);
  EXPECT_EQ(ParseByteSize("20 MB"), 20'000'000ull);
  EXPECT_EQ(ParseByteSize("1.5m"), 1572864u);
  EXPECT_EQ(ParseByteSize("1tb"), 1'000'000'000'000ull);
}

TEST(ParseByteSizeTest, RefusesJunkInsteadOfGuessing) {
  for (const char* bad : {"", "g", "-1", "-1g", "1x", "1gbb", "1 g b", "1  g", "1e3", "abc",
                          "99999999999p", ".", "1..2"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace strata
