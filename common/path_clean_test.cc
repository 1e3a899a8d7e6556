#include "common/path_clean.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

struct CleanCase {
  const char* in;
  const char* out;
};

// Go's own table for path.Clean (src/path/path_test.go), which every
// copy of the cleaner in strata now answers through CleanPath.
TEST(CleanPathTest, MatchesGosPathCleanTable) {
  const CleanCase cases[] = {
      // Already clean.
      {"", "."},
      {"abc", "abc"},
      {"abc/def", "abc/def"},
      {"a/b/c", "a/b/c"},
      {".", "."},
      {"..", ".."},
      {"../..", "../.."},
      {"../../abc", "../../abc"},
      {"/abc", "/abc"},
      {"/", "/"},
      // A trailing slash goes.
      {"abc/", "abc"},
      {"abc/def/", "abc/def"},
      {"a/b/c/", "a/b/c"},
      {"./", "."},
      {"../", ".."},
      {"../../", "../.."},
      {"/abc/", "/abc"},
      // Doubled slashes go.
      {"abc//def//ghi", "abc/def/ghi"},
      {"//abc", "/abc"},
      {"///abc", "/abc"},
      {"//abc//", "/abc"},
      {"abc//", "abc"},
      {"//a//b/", "/a/b"},
      // "." elements go.
      {"abc/./def", "abc/def"},
      {"/./abc/def", "/abc/def"},
      {"abc/.", "abc"},
      {"./a", "a"},
      // ".." elements take the element before them.
      {"abc/def/ghi/../jkl", "abc/def/jkl"},
      {"abc/def/../ghi/../jkl", "abc/jkl"},
      {"abc/def/..", "abc"},
      {"abc/def/../..", "."},
      {"/abc/def/../..", "/"},
      {"abc/def/../../..", ".."},
      {"/abc/def/../../..", "/"},
      {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"},
      {"a/../..", ".."},
      {"/../a", "/a"},
      // Combinations.
      {"abc/./../def", "def"},
      {"abc//./../def", "def"},
      {"abc/../../././../def", "../../def"},
      // Names that only look like dots.
      {"..a/.b", "..a/.b"},
      {"a/.../b", "a/.../b"},
  };
  for (const CleanCase& c : cases)
    EXPECT_EQ(CleanPath(c.in), c.out) << "CleanPath(\"" << c.in << "\")";
}

TEST(CleanPathTest, IsIdempotent) {
  for (const char* p : {"", "/", "a/../..", "//a//b/", "./a", "a/b/", "../x/./y/.."}) {
    std::string once = CleanPath(p);
    EXPECT_EQ(CleanPath(once), once) << p;
  }
}

// Docker's WORKDIR and a chrooted process: ".." stops at "/".
TEST(CleanRootedPathTest, NeverLeavesTheRoot) {
  EXPECT_EQ(CleanRootedPath(""), "/");
  EXPECT_EQ(CleanRootedPath("/"), "/");
  EXPECT_EQ(CleanRootedPath("a/../.."), "/");
  EXPECT_EQ(CleanRootedPath("../../../../tmp/x"), "/tmp/x");
  EXPECT_EQ(CleanRootedPath("//a//b/"), "/a/b");
  EXPECT_EQ(CleanRootedPath("./a"), "/a");
  EXPECT_EQ(CleanRootedPath("/a//b/../c/"), "/a/c");
}

TEST(CleanPathInsideTest, RelativeToItsStartOrRefused) {
  EXPECT_EQ(CleanPathInside(""), "");
  EXPECT_EQ(CleanPathInside("/"), "");
  EXPECT_EQ(CleanPathInside("."), "");
  EXPECT_EQ(CleanPathInside("a/.."), "");
  EXPECT_EQ(CleanPathInside("./a//b/"), "a/b");
  EXPECT_EQ(CleanPathInside("//a//b/"), "a/b") << "a leading '/' counts from the start";
  EXPECT_EQ(CleanPathInside("a/../b"), "b");
  EXPECT_EQ(CleanPathInside("..a"), "..a");
  EXPECT_EQ(CleanPathInside(".."), std::nullopt);
  EXPECT_EQ(CleanPathInside("a/../.."), std::nullopt);
  EXPECT_EQ(CleanPathInside("a/../../b"), std::nullopt);
  EXPECT_EQ(CleanPathInside("/../x"), std::nullopt) << "unlike CleanPath, \"/..\" is refused";
}

TEST(HasDotDotElementTest, OnlyWholeElements) {
  EXPECT_TRUE(HasDotDotElement(".."));
  EXPECT_TRUE(HasDotDotElement("a/../b"));
  EXPECT_TRUE(HasDotDotElement("a/.."));
  EXPECT_TRUE(HasDotDotElement("/../a"));
  EXPECT_FALSE(HasDotDotElement(""));
  EXPECT_FALSE(HasDotDotElement("a/..b/c"));
  EXPECT_FALSE(HasDotDotElement("a/b../c"));
  EXPECT_FALSE(HasDotDotElement("./a/."));
}

TEST(PathComponentsTest, NonEmptyComponentsInOrder) {
  EXPECT_EQ(PathComponents("/a//b/./../c/"), (std::vector<std::string>{"a", "b", ".", "..", "c"}));
  EXPECT_TRUE(PathComponents("").empty());
  EXPECT_TRUE(PathComponents("///").empty());
}

}  // namespace
}  // namespace strata
