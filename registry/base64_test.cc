#include "registry/base64.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata::registry {
namespace {

TEST(Base64Test, RoundTripsWithPadding) {
  EXPECT_EQ(Base64Encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(Base64Encode("a"), "YQ==");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_EQ(Base64Encode(""), "");
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "tester:s3cret:with:colons",
                                                std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
}

TEST(Base64Test, RejectsGarbage) {
  EXPECT_FALSE(Base64Decode("dXNl cjpw").has_value());
  EXPECT_FALSE(Base64Decode("a").has_value());
  EXPECT_FALSE(Base64Decode("!!!!").has_value());
  EXPECT_EQ(Base64Decode("YQ"), "a");  // padding optional
}

}  // namespace
}  // namespace strata::registry
