#include "common/free_space.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace strata {
namespace {

TEST(FreeSpaceTest, AnOrdinaryDirectoryHasRoomForAFewMegabytes) {
  EXPECT_TRUE(RequireFreeSpace("/tmp", 1 << 20, "a test").ok());
}

TEST(FreeSpaceTest, AMissingDirectoryIsAnErrorNotACrash) {
  Status s = RequireFreeSpace("/nonexistent/strata/dir", 1 << 20, "a test");
  EXPECT_FALSE(s.ok());
}

TEST(FreeSpaceTest, AFullFileSystemSaysNoSpace) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  char tmpl[] = "/tmp/strata-free-space-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=256k") != 0) {
    std::filesystem::remove(dir);
    GTEST_SKIP() << "cannot mount a tmpfs here";
  }
  Status s = RequireFreeSpace(dir, 16 << 20, "the store");
  ::umount(dir.c_str());
  std::filesystem::remove(dir);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no space left on the file system of " + dir + " for the store"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("point --root/STRATA_ROOT elsewhere"), std::string::npos);
}

}  // namespace
}  // namespace strata
