#include "image/fs_walk.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/file_util.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"
#include "image/layer_extract.h"
#include "image/layer_writer.h"
#include "image/test_tree.h"
#include "image/whiteout.h"

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
  ASSERT_TRUE(MakeDirs(dir / "a", 0755).ok());
  ASSERT_EQ(::symlink("../b/file", (dir / "a/link").c_str()), 0);
  ASSERT_EQ(::link((dir / "b/file").c_str(), (dir / "a/hard").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  Result<std::vector<LayerEntry>> entries = WalkDirectory(dir.path());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::vector<std::string> paths;
  for (const LayerEntry& e : *entries) paths.push_back(e.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"a", "a/hard", "a/link", "a-x", "b", "b/file", "fifo"}));
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

// overlayfs (Linux 6.x) makes the whiteouts of an upper dir as links to one
// shared char 0/0 inode: `rm /etc/issue /etc/issue.net` leaves two names
// of one inode. Each must become its own .wh. file, never a hard link to
// the other (that layer could not be unpacked: the link target is gone).
TEST(FsWalkTest, WhiteoutsSharingAnInodeAreNotHardlinks) {
  if (::geteuid() != 0) GTEST_SKIP() << "mknod of a whiteout needs root";
  TempDir dir;
  ASSERT_TRUE(MakeDirs(dir / "etc", 0755).ok());
  ASSERT_EQ(::mknod((dir / "etc/issue").c_str(), S_IFCHR | 0600, makedev(0, 0)), 0);
  ASSERT_EQ(::link((dir / "etc/issue").c_str(), (dir / "etc/issue.net").c_str()), 0);
  testing::WriteFile(dir / "etc/a", "same");
  ASSERT_EQ(::link((dir / "etc/a").c_str(), (dir / "etc/b").c_str()), 0);
  struct stat st;
  ASSERT_EQ(::lstat((dir / "etc/issue.net").c_str(), &st), 0);
  ASSERT_EQ(st.st_nlink, 2u);

  Result<std::vector<LayerEntry>> walked = WalkDirectory(dir.path());
  ASSERT_TRUE(walked.ok()) << walked.status().ToString();
  std::vector<LayerEntry> entries = ConvertOverlayWhiteouts(*walked);
  std::vector<std::string> got;
  for (const LayerEntry& e : entries) {
    got.push_back(e.path + (e.type == EntryType::kHardlink ? " -> " + e.link_target : ""));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"etc", "etc/.wh.issue", "etc/.wh.issue.net", "etc/a",
                                           "etc/b -> etc/a"}));

  // The layer applies: both files of the lower tree go.
  StringSink tar;
  ASSERT_TRUE(WriteTar(entries, {}, &tar).ok());
  TempDir lower;
  testing::WriteFile(lower / "etc/issue", "Debian\n");
  testing::WriteFile(lower / "etc/issue.net", "Debian\n");
  StringSource in(tar.data());
  Result<ExtractResult> applied = ExtractLayer(&in, lower.path());
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_FALSE(testing::Exists(lower / "etc/issue"));
  EXPECT_FALSE(testing::Exists(lower / "etc/issue.net"));
  EXPECT_EQ(testing::ReadFile(lower / "etc/b"), "same");
}

TEST(FsWalkTest, MissingRootIsAnError) {
  Result<std::vector<LayerEntry>> r = WalkDirectory("/nonexistent/strata/dir");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/strata/dir"), std::string::npos);
}

}  // namespace
}  // namespace strata::image
