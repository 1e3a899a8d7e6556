#include "worker/cache_ledger.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/testing/temp_dir.h"
#include "snapshot/overlay_snapshotter.h"
#include "snapshot/testing/fake_snapshotter.h"

namespace strata::worker {
namespace {

std::string DiffId(char c) { return "sha256:" + std::string(64, c); }

class CacheLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-cache-ledger");
    snapshots_ = std::make_unique<snapshot::FakeSnapshotter>(dir_ + "/snap");
    Result<std::unique_ptr<BlobCache>> blobs = BlobCache::Open(dir_ + "/blobs", "");
    ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
    blobs_ = std::move(*blobs);
  }
  void TearDown() override {
    if (!HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  // Unpacks a layer holding one file of `bytes` bytes.
  void MakeLayer(const std::string& diff_id, size_t bytes) {
    std::string source = dir_ + "/src-" + diff_id.substr(7, 8);
    ASSERT_TRUE(MakeDirs(source, 0755).ok());
    ASSERT_TRUE(WriteFile(source + "/file", std::string(bytes, 'x')).ok());
    snapshot::DirectoryCopyUnpacker unpacker(source);
    ASSERT_TRUE(snapshots_->EnsureLayer(diff_id, unpacker).ok());
  }
  // Stores a blob of `bytes` bytes in the cache; returns its digest.
  Digest MakeBlob(size_t bytes, char fill) {
    std::string content(bytes, fill);
    Digest digest = Digest::Sha256Of(content);
    EXPECT_TRUE(WriteFile(dir_ + "/blob.tmp", content).ok());
    EXPECT_TRUE(blobs_->Adopt(digest, dir_ + "/blob.tmp").ok());
    return digest;
  }

  std::string dir_;
  std::unique_ptr<snapshot::FakeSnapshotter> snapshots_;
  std::unique_ptr<BlobCache> blobs_;
};

TEST_F(CacheLedgerTest, CountsWhatIsThereAtStartAndWhatJobsAdd) {
  MakeLayer(DiffId('a'), 100);
  Digest blob = MakeBlob(50, 'b');
  CacheLedger ledger(snapshots_.get(), blobs_.get(), 0);
  ASSERT_TRUE(ledger.Load().ok());
  CacheLedger::Usage usage = ledger.usage();
  EXPECT_EQ(usage.layers, 1u);
  EXPECT_EQ(usage.blobs, 1u);
  EXPECT_EQ(usage.bytes, 150u);
  MakeLayer(DiffId('c'), 30);
  ledger.AddedLayer(DiffId('c'));
  ledger.AddedLayer(DiffId('c'));  // counted once
  ledger.AddedBlob(blob);
  EXPECT_EQ(ledger.usage().bytes, 180u);
  EXPECT_EQ(ledger.Layers(), (std::vector<std::string>{DiffId('a'), DiffId('c')}));
  // A layer that is not kept as a snapshot (a RUN's) is not counted.
  ledger.AddedLayer(DiffId('d'));
  EXPECT_EQ(ledger.usage().layers, 2u);
}

TEST_F(CacheLedgerTest, EvictsTheLeastRecentlyUsedFirst) {
  CacheLedger ledger(snapshots_.get(), blobs_.get(), 250);
  ASSERT_TRUE(ledger.Load().ok());
  for (char c : {'a', 'b'}) {
    MakeLayer(DiffId(c), 100);
    ledger.AddedLayer(DiffId(c));
  }
  {
    // A job uses 'a' again: 'b' is now the least recently used.
    std::unique_ptr<CacheLedger::Hold> hold = ledger.NewHold();
    hold->Layer(DiffId('a'));
  }
  MakeLayer(DiffId('c'), 100);
  ledger.AddedLayer(DiffId('c'));
  EXPECT_EQ(snapshots_->Removed(), std::vector<std::string>{DiffId('b')});
  EXPECT_EQ(ledger.Layers(), (std::vector<std::string>{DiffId('a'), DiffId('c')}));
  EXPECT_EQ(ledger.usage().bytes, 200u);
  EXPECT_EQ(ledger.usage().evicted, 1u);
  EXPECT_FALSE(*snapshots_->HasLayer(DiffId('b')));
}

TEST_F(CacheLedgerTest, NeverEvictsWhatARunningJobHolds) {
  CacheLedger ledger(snapshots_.get(), blobs_.get(), 100);
  ASSERT_TRUE(ledger.Load().ok());
  std::unique_ptr<CacheLedger::Hold> job = ledger.NewHold();
  job->Layer(DiffId('a'));  // held before it exists, as a job does
  MakeLayer(DiffId('a'), 80);
  ledger.AddedLayer(DiffId('a'));
  Digest blob = MakeBlob(80, 'z');
  job->Blob(blob);
  ledger.AddedBlob(blob);
  // 160 bytes over a 100-byte budget, all held: nothing goes.
  EXPECT_TRUE(snapshots_->Removed().empty());
  EXPECT_EQ(ledger.usage().bytes, 160u);
  job.reset();  // the job ends: back under the budget, oldest first
  EXPECT_EQ(snapshots_->Removed(), std::vector<std::string>{DiffId('a')});
  EXPECT_EQ(ledger.usage().bytes, 80u);
  EXPECT_TRUE(blobs_->CachedBytes(blob).ok());
}

TEST_F(CacheLedgerTest, AtStartTheOldContentIsEvictedBeforeNewUse) {
  MakeLayer(DiffId('a'), 100);
  Digest old_blob = MakeBlob(100, 'o');
  CacheLedger ledger(snapshots_.get(), blobs_.get(), 150);
  ASSERT_TRUE(ledger.Load().ok());  // 200 bytes over 150: one of them goes
  EXPECT_EQ(ledger.usage().bytes, 100u);
  MakeLayer(DiffId('n'), 100);
  ledger.AddedLayer(DiffId('n'));
  EXPECT_EQ(ledger.Layers(), std::vector<std::string>{DiffId('n')});
  EXPECT_FALSE(blobs_->CachedBytes(old_blob).ok());
}

TEST_F(CacheLedgerTest, OverlayLayersAreMeasuredOnceAndRemovedWithTheirLink) {
  Result<std::unique_ptr<snapshot::OverlaySnapshotter>> overlay =
      snapshot::OverlaySnapshotter::Open(dir_ + "/overlay");
  ASSERT_TRUE(overlay.ok()) << overlay.status().ToString();
  std::string source = dir_ + "/tree";
  ASSERT_TRUE(MakeDirs(source + "/etc", 0755).ok());
  ASSERT_TRUE(WriteFile(source + "/etc/hostname", "builder\n").ok());
  snapshot::DirectoryCopyUnpacker unpacker(source);
  ASSERT_TRUE((*overlay)->EnsureLayer(DiffId('e'), unpacker).ok());
  EXPECT_EQ(*(*overlay)->ListLayers(), std::vector<std::string>{DiffId('e')});
  EXPECT_EQ(*(*overlay)->LayerBytes(DiffId('e')), 8u);
  // Kept: a changed tree is not walked again.
  ASSERT_TRUE(WriteFile((*overlay)->LayerDir(std::string(64, 'e')) + "/more", "1234").ok());
  EXPECT_EQ(*(*overlay)->LayerBytes(DiffId('e')), 8u);
  ASSERT_TRUE((*overlay)->RemoveLayer(DiffId('e')).ok());
  EXPECT_FALSE(*(*overlay)->HasLayer(DiffId('e')));
  EXPECT_TRUE((*overlay)->ListLayers()->empty());
  struct stat st;
  EXPECT_NE(lstat((dir_ + "/overlay/l/" + std::string(16, 'e')).c_str(), &st), 0);
  EXPECT_TRUE((*overlay)->RemoveLayer(DiffId('e')).ok());  // gone already: fine
}

}  // namespace
}  // namespace strata::worker
