#include "image/fs_walk.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/test_tree.h"

namespace strata::image {
namespace {

using testing::TempDir;

TEST(PathLessTest, DepthFirstOrder) {
  EXPECT_TRUE(PathLess("a", "a/b"));
  EXPECT_TRUE(PathLess("a/b", "a-b"));
  EXPECT_TRUE(PathLess("a/z", "a-b"));
  EXPECT_FALSE(PathLess("a-b", "a/b"));
  EXPECT_TRUE(PathLess("a/.wh..wh..opq", "a/b"));
}

TEST(FsWalkTest, ListsTypesSortedWithHardlinks) {
  TempDir dir;
  testing::WriteFile(dir / "b/file", "hello", 0755);
  testing::WriteFile(dir / "a-x", "x");
  testing::MakeDirs(dir / "a");
  ASSERT_EQ(::symlink("../b/file", (dir / "a/link").c_str()), 0);
  ASSERT_EQ(::link((dir / "b/file").c_str(), (dir / "a/hard").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  Result<std::vector<LayerEntry>> entries = WalkDirectory(dir.path());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::vector<std::string> paths;
  for (const LayerEntry& e : *entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "a/hard", "a/link", "a-x", "b", "b/file", "fifo"}));
  const auto& e = *entries;
  EXPECT_EQ(e[0].type, EntryType::kDirectory);
  // a/hard sorts first, so it carries the content and b/file links to it.
  EXPECT_EQ(e[1].type, EntryType::kRegular);
  EXPECT_EQ(e[1].size, 5u);
  EXPECT_EQ(e[1].mode, 0755u);
  EXPECT_EQ(e[2].type, EntryType::kSymlink);
  EXPECT_EQ(e[2].link_target, "../b/file");
  EXPECT_EQ(e[5].type, EntryType::kHardlink);
  EXPECT_EQ(e[5].link_target, "a/hard");
  EXPECT_EQ(e[6].type, EntryType::kFifo);
  EXPECT_EQ(e[1].uid, ::geteuid());
}

TEST(FsWalkTest, ReadsXattrs) {
  TempDir dir;
  testing::WriteFile(dir / "f", "x");
  if (::lsetxattr((dir / "f").c_str(), "user.test", "v1", 2, 0) != 0) {
    GTEST_SKIP() << "file system without user xattrs";
  }
  Result<std::vector<LayerEntry>> entries = WalkDirectory(dir.path());
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].xattrs.at("user.test"), "v1");
}

TEST(FsWalkTest, MissingRootIsAnError) {
  Result<std::vector<LayerEntry>> r = WalkDirectory("/nonexistent/strata/dir");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/strata/dir"), std::string::npos);
}

}  // namespace
}  // namespace strata::image
