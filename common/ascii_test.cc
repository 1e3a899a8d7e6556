#include "common/ascii.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(AsciiTest, LowerTouchesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("WWW-Authenticate: Bearer"), "www-authenticate: bearer");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // "ÉTÉ": only the T
}

TEST(AsciiTest, TrimDropsSpacesTabsAndLineEnds) {
  EXPECT_EQ(TrimAsciiSpace(" \t value with space \r\n"), "value with space");
  EXPECT_EQ(TrimAsciiSpace(" \r\n\t"), "");
  EXPECT_EQ(TrimAsciiSpace(""), "");
}

}  // namespace
}  // namespace strata
