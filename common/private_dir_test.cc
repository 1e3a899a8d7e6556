#include "common/private_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace strata {
namespace {

namespace fs = std::filesystem;

class PrivateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-private-dir-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    old_umask_ = ::umask(0);  // the worst case: every bit the caller asks for
  }
  void TearDown() override {
    ::umask(old_umask_);
    fs::remove_all(dir_);
  }
  static unsigned ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  std::string dir_;
  mode_t old_umask_ = 022;
};

TEST_F(PrivateDirTest, NewDirectoryIs0700WhateverTheUmask) {
  std::string root = dir_ + "/a/b/root";
  ASSERT_TRUE(EnsurePrivateDir(root).ok());
  EXPECT_EQ(ModeOf(root), 0700u);
  EXPECT_EQ(ModeOf(dir_ + "/a"), 0700u);
}

TEST_F(PrivateDirTest, PremadeOpenDirectoryIsMadePrivate) {
  std::string root = dir_ + "/root";
  ASSERT_EQ(::mkdir(root.c_str(), 0777), 0);
  ASSERT_EQ(ModeOf(root), 0777u);
  ASSERT_TRUE(EnsurePrivateDir(root).ok());
  EXPECT_EQ(ModeOf(root), 0700u);
}

TEST_F(PrivateDirTest, SymlinkIsRefused) {
  std::string target = dir_ + "/elsewhere";
  ASSERT_EQ(::mkdir(target.c_str(), 0700), 0);
  std::string root = dir_ + "/root";
  ASSERT_EQ(::symlink(target.c_str(), root.c_str()), 0);
  Status s = EnsurePrivateDir(root);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.message();
}

TEST_F(PrivateDirTest, DirectoryOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  std::string root = dir_ + "/root";
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  ASSERT_EQ(::chown(root.c_str(), 65534, 65534), 0);
  Status s = EnsurePrivateDir(root);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("belongs to uid 65534"), std::string::npos) << s.message();
}

TEST_F(PrivateDirTest, LogFileIsCreated0600AndNeverFollowsASymlink) {
  std::string log = dir_ + "/coordinator.log";
  Result<int> fd = OpenPrivateLogFile(log);
  ASSERT_TRUE(fd.ok()) << fd.status().message();
  ::close(*fd);
  EXPECT_EQ(ModeOf(log), 0600u);

  std::string victim = dir_ + "/victim";
  std::string link = dir_ + "/planted.log";
  ASSERT_EQ(::symlink(victim.c_str(), link.c_str()), 0);
  Result<int> refused = OpenPrivateLogFile(link);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(fs::exists(victim));
}

TEST_F(PrivateDirTest, ALogOverItsCapIsRotatedOnce) {
  std::string log = dir_ + "/coordinator.log";
  {
    Result<int> fd = OpenPrivateLogFile(log, /*max_bytes=*/100);
    ASSERT_TRUE(fd.ok());
    std::string line(150, 'x');
    ASSERT_EQ(::write(*fd, line.data(), line.size()), 150);
    ::close(*fd);
  }
  Result<int> fd = OpenPrivateLogFile(log, 100);
  ASSERT_TRUE(fd.ok());
  ::close(*fd);
  EXPECT_EQ(fs::file_size(log), 0u);
  EXPECT_EQ(fs::file_size(log + ".1"), 150u);
  // Under the cap it stays where it is.
  fd = OpenPrivateLogFile(log, 100);
  ASSERT_TRUE(fd.ok());
  ASSERT_EQ(::write(*fd, "abc", 3), 3);
  ::close(*fd);
  fd = OpenPrivateLogFile(log, 100);
  ASSERT_TRUE(fd.ok());
  ::close(*fd);
  EXPECT_EQ(fs::file_size(log), 3u);
  EXPECT_EQ(fs::file_size(log + ".1"), 150u);
}

}  // namespace
}  // namespace strata
