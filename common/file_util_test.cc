#include "common/file_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace strata {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/strata-file-util-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    old_umask_ = ::umask(0);  // modes below are exactly what MakeDirs asked for
  }
  void TearDown() override {
    ::umask(old_umask_);
    std::filesystem::remove_all(dir_);
  }
  static unsigned ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  std::string dir_;
  mode_t old_umask_ = 022;
};

// The one MakeDirs has no default mode: a state directory (0700) and a
// root file system directory (0755) both come out as their caller asked.
TEST_F(FileUtilTest, MakeDirsGivesEveryNewDirectoryTheCallersMode) {
  ASSERT_TRUE(MakeDirs(dir_ + "/private/a/b", 0700).ok());
  EXPECT_EQ(ModeOf(dir_ + "/private"), 0700u);
  EXPECT_EQ(ModeOf(dir_ + "/private/a/b"), 0700u);
  ASSERT_TRUE(MakeDirs(dir_ + "/rootfs/usr/lib", 0755).ok());
  EXPECT_EQ(ModeOf(dir_ + "/rootfs"), 0755u);
  EXPECT_EQ(ModeOf(dir_ + "/rootfs/usr/lib"), 0755u);
}

TEST_F(FileUtilTest, MakeDirsLeavesExistingDirectoriesAlone) {
  ASSERT_EQ(::mkdir((dir_ + "/old").c_str(), 0711), 0);
  ASSERT_TRUE(MakeDirs(dir_ + "/old/new", 0700).ok());
  EXPECT_EQ(ModeOf(dir_ + "/old"), 0711u);
  EXPECT_TRUE(MakeDirs(dir_ + "/old/new", 0755).ok()) << "an existing directory is OK";
  EXPECT_EQ(ModeOf(dir_ + "/old/new"), 0700u);
}

TEST_F(FileUtilTest, MakeDirsAcceptsDoubleAndTrailingSlashes) {
  ASSERT_TRUE(MakeDirs(dir_ + "//x//y/", 0755).ok());
  EXPECT_EQ(ModeOf(dir_ + "/x/y"), 0755u);
}

TEST_F(FileUtilTest, MakeDirsFollowsASymlinkToADirectory) {
  ASSERT_EQ(::mkdir((dir_ + "/real").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("real", (dir_ + "/link").c_str()), 0);
  EXPECT_TRUE(MakeDirs(dir_ + "/link", 0700).ok());
  ASSERT_TRUE(MakeDirs(dir_ + "/link/sub", 0700).ok());
  EXPECT_EQ(ModeOf(dir_ + "/real/sub"), 0700u);
}

TEST_F(FileUtilTest, MakeDirsRefusesAFileInTheWay) {
  ASSERT_TRUE(WriteFile(dir_ + "/file", "x").ok());
  Status last = MakeDirs(dir_ + "/file", 0755);
  EXPECT_EQ(last.code(), StatusCode::kIOError);
  EXPECT_NE(last.message().find("not a directory"), std::string::npos) << last.message();
  Status below = MakeDirs(dir_ + "/file/sub", 0755);
  EXPECT_FALSE(below.ok());
  EXPECT_NE(below.message().find(dir_ + "/file/sub"), std::string::npos) << below.message();
}

TEST_F(FileUtilTest, MakeDirsRefusesAnEmptyPath) {
  EXPECT_EQ(MakeDirs("", 0755).code(), StatusCode::kInvalidArgument);
}

TEST_F(FileUtilTest, WriteThenReadAndList) {
  ASSERT_TRUE(WriteFile(dir_ + "/a", std::string("x\0y", 3), 0600).ok());
  EXPECT_EQ(ModeOf(dir_ + "/a"), 0600u);
  ASSERT_TRUE(WriteFile(dir_ + "/b", "").ok());
  EXPECT_EQ(ModeOf(dir_ + "/b"), 0644u);
  Result<std::string> a = ReadFile(dir_ + "/a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::string("x\0y", 3));
  ASSERT_TRUE(WriteFile(dir_ + "/a", "shorter").ok());
  EXPECT_EQ(*ReadFile(dir_ + "/a"), "shorter") << "WriteFile truncates";
  Result<std::vector<std::string>> names = ListDirectory(dir_);
  ASSERT_TRUE(names.ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b"}));
}

TEST_F(FileUtilTest, ReadMissingFileNamesIt) {
  Result<std::string> text = ReadFile("/nonexistent/strata/file");
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find("/nonexistent/strata/file"), std::string::npos);
  EXPECT_FALSE(ListDirectory("/nonexistent/strata").ok());
}

}  // namespace
}  // namespace strata
