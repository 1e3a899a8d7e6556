#include "sandbox/user_resolver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/testing/temp_dir.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::sandbox {
namespace {

class UserResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = strata::testing::MakeTempDir("strata-user");
    ASSERT_FALSE(root_.empty());
    ASSERT_TRUE(MakeDirs(root_ + "/etc", 0755).ok());
    ASSERT_TRUE(WriteFile(root_ + "/etc/passwd",
                          "# comment\n"
                          "root:x:0:0:root:/root:/bin/sh\n"
                          "app:x:1000:1001:app:/home/app:/bin/sh\n"
                          "broken line\n")
                    .ok());
    ASSERT_TRUE(WriteFile(root_ + "/etc/group",
                          "root:x:0:\n"
                          "appgrp:x:1001:\n"
                          "staff:x:50:app\n"
                          "audio:x:29:other,app\n"
                          "video:x:44:other\n")
                    .ok());
  }
  void TearDown() override { RemoveTree(root_).PermitUncheckedError(); }

  std::string root_;
};

TEST_F(UserResolverTest, EmptyIsRoot) {
  Result<ResolvedUser> user = ResolveUser(root_, "");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->uid, 0u);
  EXPECT_EQ(user->gid, 0u);
}

TEST_F(UserResolverTest, NameGivesUidGidAndSupplementaryGroups) {
  Result<ResolvedUser> user = ResolveUser(root_, "app");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->uid, 1000u);
  EXPECT_EQ(user->gid, 1001u);
  EXPECT_EQ(user->additional_gids, (std::vector<gid_t>{50, 29}));
}

TEST_F(UserResolverTest, NumericUserWithEntryTakesItsGid) {
  Result<ResolvedUser> user = ResolveUser(root_, "1000");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->gid, 1001u);
}

TEST_F(UserResolverTest, UnknownNumericUserPassesThrough) {
  Result<ResolvedUser> user = ResolveUser(root_, "4242");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->uid, 4242u);
  EXPECT_EQ(user->gid, 0u);
  EXPECT_TRUE(user->additional_gids.empty());
}

TEST_F(UserResolverTest, ExplicitGroupReplacesPrimaryAndDropsSupplementary) {
  Result<ResolvedUser> named = ResolveUser(root_, "app:staff");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->gid, 50u);
  EXPECT_TRUE(named->additional_gids.empty());
  Result<ResolvedUser> numeric = ResolveUser(root_, "4242:7");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->uid, 4242u);
  EXPECT_EQ(numeric->gid, 7u);
}

TEST_F(UserResolverTest, UnknownNameIsDockersError) {
  Result<ResolvedUser> user = ResolveUser(root_, "ghost");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(user.status().message(),
            "unable to find user ghost: no matching entries in passwd file");
}

TEST_F(UserResolverTest, UnknownGroupIsDockersError) {
  Result<ResolvedUser> user = ResolveUser(root_, "app:ghosts");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.status().message(),
            "unable to find group ghosts: no matching entries in group file");
}

TEST_F(UserResolverTest, MissingPasswdFileFindsNoName) {
  ASSERT_EQ(unlink((root_ + "/etc/passwd").c_str()), 0);
  EXPECT_FALSE(ResolveUser(root_, "app").ok());
  EXPECT_TRUE(ResolveUser(root_, "12").ok());
}

TEST_F(UserResolverTest, SymlinkedPasswdIsResolvedInsideTheRootfs) {
  // An absolute symlink must point into the rootfs, never at the host's file.
  ASSERT_EQ(unlink((root_ + "/etc/passwd").c_str()), 0);
  ASSERT_EQ(symlink("/etc/passwd.real", (root_ + "/etc/passwd").c_str()), 0);
  ASSERT_TRUE(WriteFile(root_ + "/etc/passwd.real", "svc:x:77:78::/:/bin/sh\n").ok());
  Result<ResolvedUser> user = ResolveUser(root_, "svc");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->uid, 77u);
  EXPECT_FALSE(ResolveUser(root_, "root").ok()) << "read the host's /etc/passwd";
}

// COPY --chown and WORKDIR under USER: BuildKit's file-op owner (readUser).
using Owner = std::pair<uid_t, gid_t>;
Owner FileOwner(const std::string& root, const std::string& spec) {
  Result<Owner> owner = ResolveFileOwner(root, spec);
  EXPECT_TRUE(owner.ok()) << spec << ": " << owner.status().ToString();
  return owner.ok() ? *owner : Owner{9999, 9999};
}

TEST_F(UserResolverTest, FileOwnerNameAloneTakesThePrimaryGroup) {
  EXPECT_EQ(FileOwner(root_, "app"), Owner(1000, 1001));
  EXPECT_EQ(FileOwner(root_, "app:staff"), Owner(1000, 50));
  EXPECT_EQ(FileOwner(root_, "app:44"), Owner(1000, 44));
  EXPECT_EQ(FileOwner(root_, "root"), Owner(0, 0));
}

TEST_F(UserResolverTest, FileOwnerNumbersAreNotLookedUp) {
  // uid 1000 is "app" with gid 1001, but a number stands for uid and gid.
  EXPECT_EQ(FileOwner(root_, "1000"), Owner(1000, 1000));
  EXPECT_EQ(FileOwner(root_, "4242"), Owner(4242, 4242));
  EXPECT_EQ(FileOwner(root_, "4242:7"), Owner(4242, 7));
  EXPECT_EQ(FileOwner(root_, "4242:root"), Owner(4242, 0));
}

TEST_F(UserResolverTest, FileOwnerGroupOnlyAndEmptyGroup) {
  EXPECT_EQ(FileOwner(root_, ":staff"), Owner(0, 50));
  EXPECT_EQ(FileOwner(root_, ":1234"), Owner(0, 1234));
  EXPECT_EQ(FileOwner(root_, "app:"), Owner(1000, 0));
}

TEST_F(UserResolverTest, FileOwnerUnknownNamesFallBackAsBuildKitDoes) {
  EXPECT_EQ(FileOwner(root_, "ghost"), Owner(0, 0));
  EXPECT_EQ(FileOwner(root_, "ghost:staff"), Owner(0, 50));
  EXPECT_EQ(FileOwner(root_, "app:ghosts"), Owner(1000, 1001));  // the group is left
  ASSERT_EQ(unlink((root_ + "/etc/passwd").c_str()), 0);
  ASSERT_EQ(unlink((root_ + "/etc/group").c_str()), 0);
  EXPECT_EQ(FileOwner(root_, "app:staff"), Owner(0, 0));
}

}  // namespace
}  // namespace strata::sandbox
