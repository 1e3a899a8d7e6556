#include "common/file_tree.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/file_util.h"

namespace strata {
namespace {

std::string MakeTempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

TEST(FileTreeTest, CopyTreeKeepsModesLinksAndMerges) {
  std::string from = MakeTempDir("strata-copy-from");
  std::string to = MakeTempDir("strata-copy-to");
  ASSERT_TRUE(MakeDirs(from + "/a/b", 0755).ok());
  ASSERT_TRUE(WriteFile(from + "/a/b/run.sh", "#!/bin/sh\n", 0750).ok());
  ASSERT_EQ(symlink("b/run.sh", (from + "/a/link").c_str()), 0);
  ASSERT_TRUE(MakeDirs(to + "/a", 0755).ok());
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

TEST(FileTreeTest, TreeBytesCountsFilesAndLinksOnceEach) {
  std::string dir = MakeTempDir("strata-tree-bytes");
  ASSERT_TRUE(MakeDirs(dir + "/a/b", 0755).ok());
  ASSERT_TRUE(WriteFile(dir + "/a/b/ten", "0123456789").ok());
  ASSERT_TRUE(WriteFile(dir + "/five", "01234").ok());
  ASSERT_EQ(link((dir + "/five").c_str(), (dir + "/a/five-again").c_str()), 0);
  ASSERT_EQ(symlink("b/ten", (dir + "/a/link").c_str()), 0);  // 5 bytes of target
  Result<uint64_t> bytes = TreeBytes(dir);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, 10u + 5u + 5u);
  EXPECT_EQ(TreeBytes(dir + "/missing").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(RemoveTree(dir).ok());
}

TEST(FileTreeTest, RemoveTreeInBackgroundRenamesAtOnce) {
  std::string dir = MakeTempDir("strata-trash");
  ASSERT_TRUE(MakeDirs(dir + "/tree/a/b", 0755).ok());
  ASSERT_TRUE(WriteFile(dir + "/tree/a/b/f", "x").ok());
  ASSERT_TRUE(RemoveTreeInBackground(dir + "/tree", dir + "/trash").ok());
  EXPECT_NE(access((dir + "/tree").c_str(), F_OK), 0) << "the tree is gone from its place at once";
  EXPECT_TRUE(RemoveTreeInBackground(dir + "/tree", dir + "/trash2").ok())
      << "a missing tree is already removed";
  // The detached thread removes "trash" in its own time; wait for it (the
  // bound only keeps a broken removal from hanging the test).
  for (int i = 0; i < 1000 && access((dir + "/trash").c_str(), F_OK) == 0; ++i) usleep(10000);
  EXPECT_NE(access((dir + "/trash").c_str(), F_OK), 0) << "the background removal finished";
  EXPECT_TRUE(RemoveTree(dir).ok());
}

}  // namespace
}  // namespace strata
