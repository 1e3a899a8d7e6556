#include "worker/fs_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/testing/temp_dir.h"

namespace strata::worker {
namespace {

TEST(FsUtilTest, CopyTreeKeepsModesLinksAndMerges) {
  std::string from = strata::testing::MakeTempDir("strata-copy-from");
  std::string to = strata::testing::MakeTempDir("strata-copy-to");
  ASSERT_TRUE(MakeDirs(from + "/a/b").ok());
  ASSERT_TRUE(WriteFile(from + "/a/b/run.sh", "#!/bin/sh\n", 0750).ok());
  ASSERT_EQ(symlink("b/run.sh", (from + "/a/link").c_str()), 0);
  ASSERT_TRUE(MakeDirs(to + "/a").ok());
  ASSERT_TRUE(WriteFile(to + "/a/link", "old file replaced by the link").ok());
  ASSERT_TRUE(WriteFile(to + "/a/kept", "x").ok());

  ASSERT_TRUE(CopyTree(from, to).ok());
  struct stat st;
  ASSERT_EQ(stat((to + "/a/b/run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  char target[64] = {};
  ASSERT_GT(readlink((to + "/a/link").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "b/run.sh");
  EXPECT_EQ(*ReadFile(to + "/a/kept"), "x");
  EXPECT_EQ(*ReadFile(to + "/a/b/run.sh"), "#!/bin/sh\n");

  ASSERT_TRUE(RemoveTree(from).ok());
  ASSERT_TRUE(RemoveTree(to).ok());
  EXPECT_NE(access(to.c_str(), F_OK), 0);
  EXPECT_TRUE(RemoveTree(to).ok()) << "a missing tree is already removed";
}

TEST(FsUtilTest, ReadMissingFileNamesIt) {
  Result<std::string> text = ReadFile("/nonexistent/strata/file");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("/nonexistent/strata/file"), std::string::npos);
}

TEST(FsUtilTest, RandomHexHasTheAskedLength) {
  std::string a = RandomHex(13);
  EXPECT_EQ(a.size(), 13u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

}  // namespace
}  // namespace strata::worker
