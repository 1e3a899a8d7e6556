#include "snapshot/testing/fake_snapshotter.h"

#include <gtest/gtest.h>

#include "common/testing/temp_dir.h"
#include "snapshot/overlay_snapshotter.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::snapshot {
namespace {

TEST(FakeSnapshotterTest, StacksLayersAndRecordsCalls) {
  std::string src = strata::testing::MakeTempDir("strata-fake-src");
  std::string root = strata::testing::MakeTempDir("strata-fake");
  ASSERT_TRUE(WriteFile(src + "/f", "one").ok());
  FakeSnapshotter snapshotter(root);
  DirectoryCopyUnpacker unpacker(src);
  std::string layer = "sha256:" + std::string(64, 'a');
  ASSERT_TRUE(snapshotter.EnsureLayer(layer, unpacker).ok());
  ASSERT_TRUE(snapshotter.EnsureLayer(layer, unpacker).ok());
  EXPECT_EQ(snapshotter.UnpackCount(layer), 1);

  Result<Mount> mount = snapshotter.Prepare({layer}, "m1");
  ASSERT_TRUE(mount.ok()) << mount.status().ToString();
  EXPECT_EQ(*ReadFile(mount->target + "/f"), "one");
  EXPECT_EQ(snapshotter.LiveMounts().count("m1"), 1u);
  EXPECT_EQ(snapshotter.Prepare({layer}, "m1").status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(snapshotter.Release(*mount, Keep::kNothing).ok());
  EXPECT_TRUE(snapshotter.LiveMounts().empty());

  snapshotter.FailNextCall(Status::IOError("disk full"));
  EXPECT_EQ(snapshotter.Prepare({layer}, "m2").status().message(), "disk full");
  EXPECT_TRUE(snapshotter.Prepare({layer}, "m2").ok());
  RemoveTree(src).PermitUncheckedError();
  RemoveTree(root).PermitUncheckedError();
}

}  // namespace
}  // namespace strata::snapshot
