#include "image/path_resolver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/file_util.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

using testing::TempDir;

TEST(PathResolverTest, SplitRefusesAbsoluteAndDotDot) {
  EXPECT_EQ(*SplitLayerPath("a/./b//c", "entry"), (std::vector<std::string>{"a", "b", "c"}));
  Result<std::vector<std::string>> abs = SplitLayerPath("/etc/passwd", "entry");
  ASSERT_FALSE(abs.ok());
  EXPECT_TRUE(abs.status().IsInvalidArgument());
  EXPECT_NE(abs.status().message().find("absolute"), std::string::npos);
  Result<std::vector<std::string>> up = SplitLayerPath("a/../../etc", "entry");
  ASSERT_FALSE(up.ok());
  EXPECT_NE(up.status().message().find(".."), std::string::npos);
}

TEST(PathResolverTest, FollowsSymlinksInsideRoot) {
  TempDir root;
  ASSERT_TRUE(MakeDirs(root / "usr/lib", 0755).ok());
  ASSERT_EQ(::symlink("usr/lib", (root / "lib").c_str()), 0);
  ASSERT_EQ(::symlink("/usr", (root / "abs").c_str()), 0);
  EXPECT_EQ(*ResolveInRoot(root.path(), {"lib", "x.so"}), root / "usr/lib/x.so");
  // Absolute targets count from the root, as inside the container.
  EXPECT_EQ(*ResolveInRoot(root.path(), {"abs", "lib", "y"}), root / "usr/lib/y");
  // The last component is never followed.
  EXPECT_EQ(*ResolveInRoot(root.path(), {"lib"}), root / "lib");
  // Missing components are kept as named.
  EXPECT_EQ(*ResolveInRoot(root.path(), {"new", "dir", "f"}), root / "new/dir/f");
}

TEST(PathResolverTest, RefusesSymlinkClimbingAboveRoot) {
  TempDir root;
  ASSERT_EQ(::symlink("../../..", (root / "up").c_str()), 0);
  Result<std::string> r = ResolveInRoot(root.path(), {"up", "etc", "passwd"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  ASSERT_EQ(::symlink("loop", (root / "loop").c_str()), 0);
  EXPECT_FALSE(ResolveInRoot(root.path(), {"loop", "x"}).ok());
  testing::WriteFile(root / "file", "x");
  EXPECT_FALSE(ResolveInRoot(root.path(), {"file", "x"}).ok());
}

}  // namespace
}  // namespace strata::image
