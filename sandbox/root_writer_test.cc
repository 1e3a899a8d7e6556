#include "sandbox/root_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/testing/temp_dir.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::sandbox {
namespace {

TEST(ContainerPathComponentsTest, DotDotStopsAtTheRoot) {
  EXPECT_EQ(ContainerPathComponents("/a/./b//c/"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ContainerPathComponents("/../../tmp/x"), (std::vector<std::string>{"tmp", "x"}));
  EXPECT_EQ(ContainerPathComponents("a/../b"), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(ContainerPathComponents("/").empty());
}

class MakeDirInRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "MakeDirInRoot sets owners (lchown); run as root";
    dir_ = strata::testing::MakeTempDir("strata-root-writer");
    root_ = dir_ + "/root";
    outside_ = dir_ + "/outside";
    ASSERT_TRUE(MakeDirs(root_ + "/tmp", 0755).ok());
    ASSERT_TRUE(MakeDirs(outside_, 0755).ok());
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }
  std::string dir_, root_, outside_;
};

TEST_F(MakeDirInRootTest, CreatesOwnedDirectoriesWithTheFixedTime) {
  ASSERT_TRUE(MakeDirInRoot(root_, "/srv/app", 1000, 1001, 12345).ok());
  struct stat st;
  ASSERT_EQ(::lstat((root_ + "/srv/app").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mtim.tv_sec, 12345);
  ASSERT_EQ(::lstat((root_ + "/srv").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
}

TEST_F(MakeDirInRootTest, SymlinksAndDotDotStayInsideTheRoot) {
  // An absolute link to the host's directory leads to the root's own.
  ASSERT_EQ(::symlink(outside_.c_str(), (root_ + "/hostlink").c_str()), 0);
  ASSERT_TRUE(MakeDirInRoot(root_, "/hostlink/x", 0, 0, std::nullopt).ok());
  struct stat st;
  EXPECT_NE(::lstat((outside_ + "/x").c_str(), &st), 0) << "created outside the root";
  EXPECT_EQ(::lstat((root_ + outside_ + "/x").c_str(), &st), 0);

  ASSERT_TRUE(MakeDirInRoot(root_, "/../../tmp/y", 0, 0, std::nullopt).ok());
  EXPECT_EQ(::lstat((root_ + "/tmp/y").c_str(), &st), 0);
}

TEST_F(MakeDirInRootTest, AFileInTheWayIsAnError) {
  ASSERT_TRUE(WriteFile(root_ + "/file", "x").ok());
  Status s = MakeDirInRoot(root_, "/file/sub", 0, 0, std::nullopt);
  ASSERT_FALSE(s.ok());
  // image::ResolveInRoot's verdict (Corruption), naming the path.
  EXPECT_NE(s.message().find("is not a directory"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace strata::sandbox
