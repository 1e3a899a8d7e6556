#include "common/random_hex.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(RandomHexTest, HasTheAskedLengthInLowercaseHex) {
  for (size_t n : {0u, 1u, 13u, 64u}) {
    std::string a = RandomHex(n);
    EXPECT_EQ(a.size(), n);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  }
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

}  // namespace
}  // namespace strata
