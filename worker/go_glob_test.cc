#include "worker/go_glob.h"

#include <gtest/gtest.h>

namespace strata::worker {
namespace {

bool Matches(std::string_view pattern, std::string_view name) {
  Result<bool> r = GoGlobMatch(pattern, name);
  EXPECT_TRUE(r.ok()) << pattern << ": " << r.status().ToString();
  return r.ok() && *r;
}

TEST(GoGlobTest, StarAndQuestionStopAtSlash) {
  EXPECT_TRUE(Matches("*.txt", "a.txt"));
  EXPECT_TRUE(Matches("*", ".hidden"));
  EXPECT_FALSE(Matches("*.txt", "dir/a.txt"));
  EXPECT_TRUE(Matches("*/*.txt", "dir/a.txt"));
  EXPECT_TRUE(Matches("a?c", "abc"));
  EXPECT_FALSE(Matches("a?c", "a/c"));
  EXPECT_TRUE(Matches("a*b*c", "axxbyyc"));
  EXPECT_FALSE(Matches("a*b", "a/b"));
  EXPECT_TRUE(Matches("", ""));
  EXPECT_FALSE(Matches("", "a"));
}

TEST(GoGlobTest, ClassesAndEscapes) {
  EXPECT_TRUE(Matches("[abc]x", "bx"));
  EXPECT_FALSE(Matches("[^abc]x", "bx"));
  EXPECT_TRUE(Matches("[a-c][0-9]", "c7"));
  EXPECT_FALSE(Matches("[a-c]", "/"));
  EXPECT_TRUE(Matches("\\*", "*"));
  EXPECT_FALSE(Matches("\\*", "a"));
  EXPECT_TRUE(Matches("[\\]]", "]"));
}

TEST(GoGlobTest, MalformedPatternsAreErrors) {
  for (const char* bad : {"[", "a[", "[]", "[a-", "\\", "[^]", "x[-a]"}) {
    Result<bool> r = GoGlobMatch(bad, "a");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
    }
  }
}

TEST(GoGlobTest, HasWildcard) {
  EXPECT_TRUE(HasWildcard("*.txt"));
  EXPECT_TRUE(HasWildcard("a?"));
  EXPECT_TRUE(HasWildcard("[ab]"));
  EXPECT_FALSE(HasWildcard("plain/file.txt"));
  EXPECT_FALSE(HasWildcard("escaped\\*"));
}

}  // namespace
}  // namespace strata::worker
