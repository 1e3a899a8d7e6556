#include "common/go_path_match.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

bool Match(std::string_view pattern, std::string_view name) {
  Result<bool> r = GoPathMatch(pattern, name);
  EXPECT_TRUE(r.ok()) << pattern << ": " << r.status().ToString();
  return r.ok() && *r;
}

TEST(GoPathMatchTest, Wildcards) {
  EXPECT_TRUE(Match("abc", "abc"));
  EXPECT_TRUE(Match("*", "abc"));
  EXPECT_FALSE(Match("*", "a/b"));
  EXPECT_TRUE(Match("a*/b", "abc/b"));
  EXPECT_FALSE(Match("a*/b", "a/c/b"));
  EXPECT_TRUE(Match("a*b*c*d*e*/f", "axbxcxdxe/f"));
  EXPECT_FALSE(Match("a*b*c*d*e*/f", "axbxcxdxexxx/fff"));
  EXPECT_TRUE(Match("a?c", "abc"));
  EXPECT_FALSE(Match("a?c", "a/c"));
  EXPECT_TRUE(Match("[a-c]x", "bx"));
  EXPECT_TRUE(Match("[^a-c]x", "dx"));
  EXPECT_FALSE(Match("[^a-c]x", "ax"));
  EXPECT_TRUE(Match("[\\]]", "]"));
  EXPECT_TRUE(Match("a\\*b", "a*b"));
  EXPECT_FALSE(Match("a\\*b", "axb"));
  EXPECT_TRUE(Match("[가-힣]", "국"));
}

TEST(GoPathMatchTest, StarAndQuestionStopAtSlash) {
  EXPECT_TRUE(Match("*.txt", "a.txt"));
  EXPECT_TRUE(Match("*", ".hidden"));
  EXPECT_FALSE(Match("*.txt", "dir/a.txt"));
  EXPECT_TRUE(Match("*/*.txt", "dir/a.txt"));
  EXPECT_TRUE(Match("a?c", "abc"));
  EXPECT_FALSE(Match("a?c", "a/c"));
  EXPECT_TRUE(Match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(Match("a*b", "a/b"));
  EXPECT_TRUE(Match("", ""));
  EXPECT_FALSE(Match("", "a"));
}

TEST(GoPathMatchTest, ClassesAndEscapes) {
  EXPECT_TRUE(Match("[abc]x", "bx"));
  EXPECT_FALSE(Match("[^abc]x", "bx"));
  EXPECT_TRUE(Match("[a-c][0-9]", "c7"));
  EXPECT_FALSE(Match("[a-c]", "/"));
  EXPECT_TRUE(Match("\\*", "*"));
  EXPECT_FALSE(Match("\\*", "a"));
  EXPECT_TRUE(Match("[\\]]", "]"));
}

TEST(GoPathMatchTest, MalformedPatternsAreErrors) {
  for (const char* bad : {"[", "[a", "[]a]", "[-]", "[x-]", "a\\", "[^]", "*x[a"}) {
    EXPECT_FALSE(GoPathMatch(bad, "zzz").ok()) << bad;
    EXPECT_FALSE(ValidateGoPattern(bad).ok()) << bad;
  }
  EXPECT_TRUE(ValidateGoPattern("[a-z]*.go").ok());
}

TEST(GoPathMatchTest, MalformedPatternsAreInvalidArgument) {
  for (const char* bad : {"[", "a[", "[]", "[a-", "\\", "[^]", "x[-a]"}) {
    Result<bool> r = GoPathMatch(bad, "a");
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
    }
  }
}

TEST(GoPathMatchTest, HasWildcard) {
  EXPECT_TRUE(HasWildcard("*.txt"));
  EXPECT_TRUE(HasWildcard("a?"));
  EXPECT_TRUE(HasWildcard("[ab]"));
  EXPECT_FALSE(HasWildcard("plain/file.txt"));
  EXPECT_FALSE(HasWildcard("escaped\\*"));
}

TEST(GoPathMatchTest, UnescapeGlob) {
  EXPECT_EQ(UnescapeGlob("n\\?pe"), "n?pe");
  EXPECT_EQ(UnescapeGlob("st\\*uv/a\\[1]"), "st*uv/a[1]");
  EXPECT_EQ(UnescapeGlob("back\\\\slash"), "back\\slash");
  EXPECT_EQ(UnescapeGlob("keep\\b"), "keep\\b");  // only before a wildcard character
  EXPECT_EQ(UnescapeGlob("trailing\\"), "trailing\\");
}

}  // namespace
}  // namespace strata
