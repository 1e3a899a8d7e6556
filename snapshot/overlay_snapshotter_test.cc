#include "snapshot/overlay_snapshotter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/testing/machine_probe.h"
#include "common/testing/temp_dir.h"
#include "image/digest.h"
#include "snapshot/layer_unpacker.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "snapshot/mount_points.h"

namespace strata::snapshot {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// Writes `files` (name -> content) into the layer directory; counts calls.
class TreeUnpacker : public LayerUnpacker {
 public:
  explicit TreeUnpacker(Files files) : files_(std::move(files)) {}
  Status Unpack(const std::string& dir) override {
    ++calls;
    for (const auto& [name, content] : files_) TRY(WriteFile(dir + "/" + name, content));
    return Status::OK();
  }
  std::atomic<int> calls{0};

 private:
  Files files_;
};

class FailingUnpacker : public LayerUnpacker {
 public:
  Status Unpack(const std::string& dir) override {
    WriteFile(dir + "/partial", "x").PermitUncheckedError();
    return Status::Corruption("truncated tar");
  }
};

std::string DiffId(const std::string& tag) { return Digest::Sha256Of(tag).ToString(); }

class OverlaySnapshotterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "overlayfs mounts need root; run worker_test as root";
    if (std::string why = strata::testing::WhyMachineCannotRunContainers(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    root_ = strata::testing::MakeTempDir("strata-snap");
    Result<std::unique_ptr<OverlaySnapshotter>> opened = OverlaySnapshotter::Open(root_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    snapshotter_ = std::move(*opened);
    // The machine mounts overlays: strata's snapshotter must too.
    Status probe = snapshotter_->Probe();
    ASSERT_TRUE(probe.ok()) << probe.ToString();
  }
  void TearDown() override {
    if (!root_.empty() && !HasFailure()) RemoveTree(root_).PermitUncheckedError();
  }

  std::string root_;
  std::unique_ptr<OverlaySnapshotter> snapshotter_;
};

// A worker killed in the middle of steps leaves their overlays mounted, with
// upper dirs full of output, and a half-unpacked layer; the next worker of
// the root removes them at start and keeps the layers.
TEST_F(OverlaySnapshotterTest, WhatAKilledWorkerMountedIsRemovedAtTheNextStart) {
  TreeUnpacker base(Files{{"a", "base"}});
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("base"), base).ok());
  pid_t worker = fork();
  ASSERT_GE(worker, 0);
  if (worker == 0) {
    for (const char* id : {"step-1", "step with space"}) {
      Result<Mount> m = snapshotter_->Prepare({DiffId("base")}, id);
      if (!m.ok() || !WriteFile(m->target + "/output", std::string(1 << 20, 'x')).ok()) _exit(1);
    }
    if (!MakeDirs(root_ + "/tmp/" + Digest::Sha256Of("x").hex() + "-" + std::to_string(getpid()) +
                      "-0123/fs",
                  0755)
             .ok()) {
      _exit(1);
    }
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(worker, &status, 0), worker);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child failed to set up, status " << status;
  ASSERT_EQ(MountPointsUnder(root_ + "/mounts/").size(), 2u);

  Result<std::unique_ptr<OverlaySnapshotter>> next = OverlaySnapshotter::Open(root_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  Result<int> removed = (*next)->RemoveAbandonedMounts();
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(MountPointsUnder(root_ + "/mounts/").empty());
  struct stat st;
  EXPECT_NE(stat((root_ + "/mounts/step-1").c_str(), &st), 0);
  EXPECT_NE(stat((root_ + "/mounts/step with space").c_str(), &st), 0);
  EXPECT_NE(
      stat((root_ + "/tmp/" + Digest::Sha256Of("x").hex() + "-" + std::to_string(worker) + "-0123")
               .c_str(),
           &st),
      0)
      << "the half-unpacked layer was kept";
  EXPECT_TRUE((*next)->HasLayer(DiffId("base")).value());
}

TEST_F(OverlaySnapshotterTest, EnsureLayerUnpacksOnce) {
  TreeUnpacker unpacker(Files{{"a", "1"}});
  std::string id = DiffId("once");
  ASSERT_TRUE(snapshotter_->EnsureLayer(id, unpacker).ok());
  ASSERT_TRUE(snapshotter_->EnsureLayer(id, unpacker).ok());
  EXPECT_EQ(unpacker.calls, 1);
  EXPECT_TRUE(*snapshotter_->HasLayer(id));
  EXPECT_EQ(*ReadFile(snapshotter_->LayerDir(Digest::Sha256Of("once").hex()) + "/a"), "1");
}

TEST_F(OverlaySnapshotterTest, ConcurrentEnsureOfOneLayerKeepsOneWhole) {
  std::string id = DiffId("race");
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      TreeUnpacker unpacker(Files{{"a", "1"}, {"b", "2"}});
      results[i] = snapshotter_->EnsureLayer(id, unpacker);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  std::string dir = snapshotter_->LayerDir(Digest::Sha256Of("race").hex());
  EXPECT_EQ(*ReadFile(dir + "/b"), "2");
  // tmp/ may still hold "released-*" trees that Probe's background removal
  // is deleting; a staging dir of this layer ("<hex>-<pid>-<random>") must
  // not be there.
  const std::string hex = Digest::Sha256Of("race").hex();
  for (const auto& entry : std::filesystem::directory_iterator(root_ + "/tmp")) {
    EXPECT_NE(entry.path().filename().string().rfind(hex, 0), 0u)
        << "a losing unpack left its staging dir " << entry.path();
  }
}

TEST_F(OverlaySnapshotterTest, FailedUnpackLeavesNothing) {
  FailingUnpacker unpacker;
  Status s = snapshotter_->EnsureLayer(DiffId("bad"), unpacker);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("truncated tar"), std::string::npos);
  EXPECT_FALSE(*snapshotter_->HasLayer(DiffId("bad")));
}

// The error of a blob that is no layer names the layer once (it read
// "unpacking layer X: unpacking layer X: ..." when the unpacker prefixed too).
TEST_F(OverlaySnapshotterTest, BadBlobErrorNamesTheLayerOnce) {
  ASSERT_TRUE(WriteFile(root_ + "/bad.tar", std::string(700, 'x')).ok());
  std::string id = DiffId("garbage");
  ExtractingUnpacker unpacker = ExtractingUnpacker::FromFile(root_ + "/bad.tar", id);
  Status s = snapshotter_->EnsureLayer(id, unpacker);
  ASSERT_FALSE(s.ok());
  const std::string prefix = "unpacking layer " + id + ": ";
  EXPECT_EQ(s.message().substr(0, prefix.size()), prefix) << s.message();
  EXPECT_EQ(s.message().find("unpacking layer", 1), std::string::npos) << s.message();
}

TEST_F(OverlaySnapshotterTest, RejectsMalformedDiffIds) {
  EXPECT_FALSE(snapshotter_->HasLayer("sha256:nothex").ok());
  EXPECT_FALSE(snapshotter_->Prepare({"layer1"}, "m").ok());
}

TEST_F(OverlaySnapshotterTest, PrepareStacksTheChainWithTheLastLayerOnTop) {
  TreeUnpacker base(Files{{"shared", "base"}, {"only-base", "b"}});
  TreeUnpacker top(Files{{"shared", "top"}});
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("base"), base).ok());
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("top"), top).ok());
  Result<Mount> mount = snapshotter_->Prepare({DiffId("base"), DiffId("top")}, "stack");
  ASSERT_TRUE(mount.ok()) << mount.status().ToString();
  EXPECT_EQ(*ReadFile(mount->target + "/shared"), "top");
  EXPECT_EQ(*ReadFile(mount->target + "/only-base"), "b");
  ASSERT_EQ(mount->lower_dirs.size(), 2u);
  EXPECT_EQ(mount->lower_dirs[0], snapshotter_->LayerDir(Digest::Sha256Of("top").hex()));
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());
  EXPECT_NE(access(mount->upper_dir.c_str(), F_OK), 0);
  EXPECT_NE(access((root_ + "/mounts/stack").c_str(), F_OK), 0);
}

// Two steps that made byte-identical layers (two identical COPYs, a COPY
// --from a stage of the same chain) put one diff_id twice in a chain;
// overlayfs refuses a lower dir given twice (ELOOP).
TEST_F(OverlaySnapshotterTest, ALayerTwiceInTheChainMountsOnceAtItsTopPlace) {
  TreeUnpacker a(Files{{"shared", "A"}, {"only-a", "a"}});
  TreeUnpacker b(Files{{"shared", "B"}, {"only-b", "b"}});
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("dup-a"), a).ok());
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("dup-b"), b).ok());
  Result<Mount> mount =
      snapshotter_->Prepare({DiffId("dup-a"), DiffId("dup-b"), DiffId("dup-a")}, "dup");
  ASSERT_TRUE(mount.ok()) << mount.status().ToString();
  EXPECT_EQ(*ReadFile(mount->target + "/shared"), "A");
  EXPECT_EQ(*ReadFile(mount->target + "/only-a"), "a");
  EXPECT_EQ(*ReadFile(mount->target + "/only-b"), "b");
  EXPECT_EQ(mount->lower_dirs,
            (std::vector<std::string>{snapshotter_->LayerDir(Digest::Sha256Of("dup-a").hex()),
                                      snapshotter_->LayerDir(Digest::Sha256Of("dup-b").hex())}));
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());

  Result<Mount> twice = snapshotter_->Prepare({DiffId("dup-b"), DiffId("dup-b")}, "twice");
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  EXPECT_EQ(*ReadFile(twice->target + "/shared"), "B");
  ASSERT_TRUE(snapshotter_->Release(*twice, Keep::kNothing).ok());
}

TEST(OverlayLowerOrderTest, TopFirstEachLayerOnce) {
  EXPECT_EQ(OverlayLowerOrder({"a", "b", "a", "c", "b"}),
            (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ(OverlayLowerOrder({}), std::vector<std::string>{});
}

TEST_F(OverlaySnapshotterTest, WritesGoToUpperAndDeletesBecomeWhiteouts) {
  TreeUnpacker base(Files{{"keep", "k"}, {"doomed", "d"}});
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("wb"), base).ok());
  Result<Mount> mount = snapshotter_->Prepare({DiffId("wb")}, "wb");
  ASSERT_TRUE(mount.ok()) << mount.status().ToString();
  ASSERT_TRUE(WriteFile(mount->target + "/new", "n").ok());
  ASSERT_EQ(unlink((mount->target + "/doomed").c_str()), 0);
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kUpper).ok());

  EXPECT_EQ(*ReadFile(mount->upper_dir + "/new"), "n");
  std::string lower = snapshotter_->LayerDir(Digest::Sha256Of("wb").hex());
  EXPECT_NE(access((lower + "/new").c_str(), F_OK), 0);
  EXPECT_EQ(access((lower + "/doomed").c_str(), F_OK), 0);
  struct stat st;
  ASSERT_EQ(lstat((mount->upper_dir + "/doomed").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 0u);
  EXPECT_EQ(minor(st.st_rdev), 0u);
  EXPECT_EQ(snapshotter_->Prepare({DiffId("wb")}, "wb").status().code(), StatusCode::kAlreadyExists)
      << "a kept upper still holds its id";
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());
  EXPECT_NE(access(mount->upper_dir.c_str(), F_OK), 0);
}

TEST_F(OverlaySnapshotterTest, EmptyChainIsAnEmptyWritableRoot) {
  Result<Mount> mount = snapshotter_->Prepare({}, "scratch");
  ASSERT_TRUE(mount.ok()) << mount.status().ToString();
  ASSERT_TRUE(WriteFile(mount->target + "/hello", "hi").ok());
  EXPECT_EQ(*ReadFile(mount->upper_dir + "/hello"), "hi");
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());
  EXPECT_NE(access((root_ + "/empty/hello").c_str(), F_OK), 0);
}

TEST_F(OverlaySnapshotterTest, DuplicateIdAndMissingLayerAreRefused) {
  Result<Mount> mount = snapshotter_->Prepare({}, "dup");
  ASSERT_TRUE(mount.ok());
  EXPECT_EQ(snapshotter_->Prepare({}, "dup").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(snapshotter_->Prepare({DiffId("never")}, "x").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(snapshotter_->Prepare({}, "../escape").ok());
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());
}

TEST_F(OverlaySnapshotterTest, LongChainFitsInOnePageOfOptions) {
  // 150 layers by full path would need 150 * ~90 bytes of options; the
  // short relative links need ~19 each.
  std::vector<std::string> chain;
  for (int i = 0; i < 150; ++i) {
    TreeUnpacker layer(
        Files{{"f" + std::to_string(i), std::to_string(i)}, {"top", std::to_string(i)}});
    chain.push_back(DiffId("layer" + std::to_string(i)));
    ASSERT_TRUE(snapshotter_->EnsureLayer(chain.back(), layer).ok());
  }
  Result<Mount> mount = snapshotter_->Prepare(chain, "long");
  ASSERT_TRUE(mount.ok()) << mount.status().ToString();
  EXPECT_EQ(*ReadFile(mount->target + "/f0"), "0");
  EXPECT_EQ(*ReadFile(mount->target + "/f149"), "149");
  EXPECT_EQ(*ReadFile(mount->target + "/top"), "149");
  ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());

  // A layer given twice is mounted once (OverlayLowerOrder), so only
  // distinct layers make a chain too long.
  std::vector<std::string> too_long = chain;
  for (int i = 150; i < 260; ++i) {
    TreeUnpacker layer(Files{{"f" + std::to_string(i), std::to_string(i)}});
    too_long.push_back(DiffId("layer" + std::to_string(i)));
    ASSERT_TRUE(snapshotter_->EnsureLayer(too_long.back(), layer).ok());
  }
  EXPECT_EQ(snapshotter_->Prepare(too_long, "toolong").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(OverlaySnapshotterTest, PrepareAndReleaseTiming) {
  TreeUnpacker base(Files{{"a", "1"}});
  ASSERT_TRUE(snapshotter_->EnsureLayer(DiffId("timing"), base).ok());
  constexpr int kRounds = 20;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    Result<Mount> mount = snapshotter_->Prepare({DiffId("timing")}, "t" + std::to_string(i));
    ASSERT_TRUE(mount.ok());
    ASSERT_TRUE(snapshotter_->Release(*mount, Keep::kNothing).ok());
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      kRounds;
  RecordProperty("prepare_release_ms", std::to_string(ms));
  // Printed for the record only: speed is judged by benchmarks, not here.
  std::printf("overlay prepare+release: %.2f ms per round (%d rounds)\n", ms, kRounds);
}

}  // namespace
}  // namespace strata::snapshot

namespace strata::snapshot {
namespace {

// Open must not delete an unpack another live process has in progress (the
// local worker and `strata container` share one snapshot root).
TEST(OverlaySnapshotterOpenTest, KeepsLiveProcessesStagingAndClearsDeadOnes) {
  std::string root = strata::testing::MakeTempDir("snapshot-open");
  ASSERT_TRUE(MakeDirs(root + "/tmp", 0755).ok());
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::string live = root + "/tmp/abc-" + std::to_string(getpid()) + "-0123";
  std::string dead = root + "/tmp/abc-" + std::to_string(child) + "-4567";
  std::string old_form = root + "/tmp/abc-89ab";
  for (const auto& dir : {live, dead, old_form}) ASSERT_TRUE(MakeDirs(dir + "/fs", 0755).ok());

  ASSERT_TRUE(OverlaySnapshotter::Open(root).ok());
  struct stat st;
  EXPECT_EQ(stat(live.c_str(), &st), 0) << "a live process's unpack was removed";
  EXPECT_NE(stat(dead.c_str(), &st), 0);
  EXPECT_NE(stat(old_form.c_str(), &st), 0);
  EXPECT_TRUE(StagingOwnerGone("abc-notapid-1"));
  EXPECT_FALSE(StagingOwnerGone("abc-" + std::to_string(getpid()) + "-1"));
}

}  // namespace
}  // namespace strata::snapshot
