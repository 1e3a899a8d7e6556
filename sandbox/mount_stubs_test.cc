#include "sandbox/mount_stubs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/testing/temp_dir.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::sandbox {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

TEST(MountStubsTest, CreatesMissingPointsAndRemovesThemAgain) {
  std::string root = strata::testing::MakeTempDir("strata-stubs");
  ASSERT_TRUE(MakeDirs(root + "/etc", 0755).ok());
  struct timespec old_times[2] = {{1000, 0}, {2000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (root + "/etc").c_str(), old_times, 0), 0);

  Result<MountStubs> stubs =
      CreateMountStubs(root, {{"/proc", false}, {"/etc/hosts", true}, {"/data/cache", false}});
  ASSERT_TRUE(stubs.ok()) << stubs.status().ToString();
  EXPECT_TRUE(Exists(root + "/proc"));
  EXPECT_TRUE(Exists(root + "/etc/hosts"));
  EXPECT_TRUE(Exists(root + "/data/cache"));

  RemoveMountStubs(*stubs);
  EXPECT_FALSE(Exists(root + "/proc"));
  EXPECT_FALSE(Exists(root + "/etc/hosts"));
  EXPECT_FALSE(Exists(root + "/data"));
  struct stat st;
  ASSERT_EQ(stat((root + "/etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000) << "the stub's parent should look untouched";
  RemoveTree(root).PermitUncheckedError();
}

TEST(MountStubsTest, KeepsWhatTheCommandFilledAndExistingPaths) {
  std::string root = strata::testing::MakeTempDir("strata-stubs");
  ASSERT_TRUE(MakeDirs(root + "/proc", 0755).ok());
  Result<MountStubs> stubs = CreateMountStubs(root, {{"/proc", false}, {"/out", false}});
  ASSERT_TRUE(stubs.ok());
  EXPECT_EQ(stubs->created, (std::vector<std::string>{root + "/out"}));
  ASSERT_TRUE(WriteFile(root + "/out/result", "data").ok());
  RemoveMountStubs(*stubs);
  EXPECT_TRUE(Exists(root + "/proc"));
  EXPECT_TRUE(Exists(root + "/out/result"));
  RemoveTree(root).PermitUncheckedError();
}

TEST(MountStubsTest, LeavesSymlinkedPathsToTheRuntime) {
  std::string root = strata::testing::MakeTempDir("strata-stubs");
  ASSERT_TRUE(MakeDirs(root + "/etc", 0755).ok());
  ASSERT_EQ(symlink("/run/resolv.conf", (root + "/etc/resolv.conf").c_str()), 0);
  ASSERT_EQ(symlink("/elsewhere", (root + "/link").c_str()), 0);
  Result<MountStubs> stubs =
      CreateMountStubs(root, {{"/etc/resolv.conf", true}, {"/link/sub", false}});
  ASSERT_TRUE(stubs.ok());
  EXPECT_TRUE(stubs->created.empty());
  EXPECT_FALSE(Exists(root + "/run"));
  RemoveTree(root).PermitUncheckedError();
}

}  // namespace
}  // namespace strata::sandbox
