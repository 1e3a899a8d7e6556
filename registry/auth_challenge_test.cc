#include "registry/auth_challenge.h"

#include <gtest/gtest.h>

namespace strata::registry {
namespace {

TEST(AuthChallengeTest, BearerWithQuotedParams) {
  auto c = ParseAuthChallenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(c[0].params["service"], "registry.docker.io");
  EXPECT_EQ(c[0].params["scope"], "repository:library/busybox:pull");
}

TEST(AuthChallengeTest, SeveralChallengesAndBareValues) {
  auto c =
      ParseAuthChallenges(R"(Basic realm="Registry Realm", Bearer realm=http://h/t, service=s)");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].params["realm"], "Registry Realm");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].params["realm"], "http://h/t");
  EXPECT_EQ(c[1].params["service"], "s");
}

TEST(AuthChallengeTest, MalformedInputNeverFails) {
  EXPECT_TRUE(ParseAuthChallenges("").empty());
  auto c = ParseAuthChallenges(R"(Bearer realm="unterminated)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].params["realm"], "unterminated");
  for (const AuthChallenge& x : ParseAuthChallenges(",,, =\"x\" \\ ,="))
    EXPECT_FALSE(x.scheme.empty());
}

}  // namespace
}  // namespace strata::registry
