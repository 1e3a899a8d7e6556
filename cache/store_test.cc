#include "cache/store.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cache/fault_injection_blob_store.h"
#include "cache/file_blob_store.h"
#include "cache/memory_blob_store.h"
#include "cache/test_records.h"
#include "cache/test_util.h"

namespace strata::cache {
namespace {

namespace fs = std::filesystem;

// Everything observable in a store, to compare before and after.
struct Snapshot {
  std::vector<Digest> blobs;
  std::vector<ImageRecord> images;
  std::vector<std::pair<std::string, Digest>> tags;
  std::map<Digest, uint64_t> refs;
  std::vector<CacheEntry> entries;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

Snapshot Take(Store& store) {
  Snapshot s;
  s.blobs = store.blobs().List().value_or({});
  s.images = store.metadata().ListImages().value_or({});
  s.tags = store.metadata().ListTags().value_or({});
  s.refs = store.metadata().ListBlobRefs().value_or({});
  s.entries = store.metadata().ListCacheEntries().value_or({});
  return s;
}

// What an importer does: blobs first, then the record that names them.
Status Import(Store& store, const std::string& name, const std::vector<std::string>& layers,
              const std::vector<std::string>& tags) {
  TRY(store.blobs().Put("config:" + name).status());
  for (const std::string& layer : layers) {
    ASSIGN_OR_RETURN(auto writer, store.blobs().Create());
    // Two writes per layer, so a write fault can hit the middle of a blob.
    size_t half = layer.size() / 2;
    TRY(writer->Write(layer.data(), half));
    TRY(writer->Write(layer.data() + half, layer.size() - half));
    TRY(writer->Commit(Digest::Sha256Of(layer)).status());
  }
  TRY(store.blobs().Put("manifest:" + name).status());
  return store.PutImage(MakeImage(name, layers), tags);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(StoreOptions options = {}) {
    store_.reset();
    auto opened = Store::Open(dir_.path(), options);
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, OpenMakesTheLayout) {
  EXPECT_TRUE(fs::is_directory(dir_.path() + "/db"));
  EXPECT_TRUE(fs::is_directory(dir_.path() + "/blobs/sha256"));
  EXPECT_TRUE(fs::is_directory(dir_.path() + "/tmp"));
}

TEST(StoreOpenTest, AFullDiskIsAClearErrorNotARocksDbAbort) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  TempDir dir;
  const std::string mount_point = dir.path() + "/full";
  fs::create_directory(mount_point);
  if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here";
  }
  {
    std::ofstream fill(mount_point + "/fill", std::ios::binary);
    std::string block(4096, 'x');
    for (int i = 0; i < 32 && fill; ++i) fill << block;  // fills the 64k
  }
  auto opened = Store::Open(mount_point + "/store");
  std::string message = opened.ok() ? "opened" : opened.status().message();
  opened = Status::Cancelled("closed");  // the store must close before the unmount
  ::umount2(mount_point.c_str(), MNT_DETACH);
  EXPECT_NE(message.find("no space left on the file system of " + mount_point + "/store"),
            std::string::npos)
      << message;
}

TEST_F(StoreTest, SecondOpenOfTheSameRootIsUnavailable) {
  auto second = Store::Open(dir_.path());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(StoreTest, PutImageRequiresItsBlobs) {
  Status s = store_->PutImage(MakeImage("a", {"l1"}), {"a:1"});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(s.retryable());
  EXPECT_TRUE(store_->metadata().ListImages()->empty());
  EXPECT_EQ(store_->PutCacheEntry(MakeEntry("k", "t", "absent")).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, UntagDeletesFreedBlobFilesOnly) {
  ASSERT_OK(Import(*store_, "a", {"base", "a1"}, {"a:1"}));
  ASSERT_OK(Import(*store_, "b", {"base", "b1"}, {"b:1"}));
  auto out = store_->Untag("a:1");
  ASSERT_OK(out);
  EXPECT_EQ(out->unreferenced_blobs.size(), 3u);
  EXPECT_FALSE(*store_->blobs().Has(Digest::Sha256Of("a1")));
  EXPECT_TRUE(*store_->blobs().Has(Digest::Sha256Of("base")));
  EXPECT_OK(store_->Fsck());
}

TEST_F(StoreTest, CacheEntryKeepsLayerAfterImageRemoval) {
  ASSERT_OK(Import(*store_, "a", {"layer"}, {"a:1"}));
  ASSERT_OK(store_->PutCacheEntry(MakeEntry("k", "t", "layer")));
  auto out = store_->RemoveImage(MakeImage("a", {}).id);
  ASSERT_OK(out);
  EXPECT_TRUE(*store_->blobs().Has(Digest::Sha256Of("layer")));
  ASSERT_OK(store_->RemoveCacheEntry(MakeEntry("k", "t", "").key, "t"));
  EXPECT_FALSE(*store_->blobs().Has(Digest::Sha256Of("layer")));
  EXPECT_OK(store_->Fsck());
}

TEST_F(StoreTest, CheckFindsOrphansAndGarbageCollectionRemovesThem) {
  ASSERT_OK(Import(*store_, "a", {"l1"}, {"a:1"}));
  auto orphan = store_->blobs().Put("orphan");
  ASSERT_OK(orphan);
  auto report = store_->Check();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->orphan_blobs, std::vector<Digest>{*orphan});
  EXPECT_EQ(report->images_checked, 1u);
  EXPECT_EQ(report->blobs_checked, 4u);

  auto gc = store_->CollectGarbage();
  ASSERT_OK(gc);
  EXPECT_EQ(gc->removed_blobs, std::vector<Digest>{*orphan});
  EXPECT_EQ(gc->removed_bytes, 6u);
  EXPECT_FALSE(*store_->blobs().Has(*orphan));
  EXPECT_TRUE(*store_->blobs().Has(Digest::Sha256Of("l1")));
}

TEST_F(StoreTest, OpenCollectsGarbage) {
  ASSERT_OK(store_->blobs().Put("left by a crash"));
  Reopen();
  EXPECT_TRUE(store_->blobs().List()->empty());
}

TEST_F(StoreTest, FsckReportsMissingAndCorruptBlobs) {
  ASSERT_OK(Import(*store_, "a", {"l1", "l2"}, {"a:1"}));
  std::string root = dir_.path() + "/blobs/sha256/";
  fs::remove(root + Digest::Sha256Of("l1").hex());
  std::string l2 = root + Digest::Sha256Of("l2").hex();
  fs::permissions(l2, fs::perms::owner_write, fs::perm_options::add);
  { std::ofstream(l2, std::ios::trunc) << "bitrot"; }
  Status s = store_->Fsck();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("has content"), std::string::npos) << s.message();
  auto report = store_->Check(/*verify_content=*/false);
  ASSERT_OK(report);
  EXPECT_EQ(report->problems.size(), 1u);  // only the missing one
}

// The brief of the coordinator: a failing store leaves everything as before.
TEST(StoreFaultTest, FailingBlobStoreMidImportLeavesStoreUnchanged) {
  TempDir dir;
  auto metadata = MetadataStore::Open(dir.path() + "/db");
  ASSERT_OK(metadata);
  auto files = FileBlobStore::Open(dir.path());
  ASSERT_OK(files);
  auto faulty_owned = std::make_unique<FaultInjectionBlobStore>(std::move(files).value());
  FaultInjectionBlobStore* faulty = faulty_owned.get();
  Store store(std::move(faulty_owned), std::move(metadata).value());

  ASSERT_OK(Import(store, "base", {"shared", "b1"}, {"base:1"}));
  const Snapshot before = Take(store);

  const std::vector<std::string> layers = {"shared", "n1", std::string(100000, 'z')};
  for (BlobFault op : {BlobFault::kCreate, BlobFault::kWrite, BlobFault::kCommit,
                       BlobFault::kCommitAfterPublish}) {
    for (int n = 1; n <= 5; ++n) {  // an import makes 5 creates and commits, 8 writes
      SCOPED_TRACE("fault " + std::to_string(static_cast<int>(op)) + " at call " +
                   std::to_string(n));
      faulty->Clear();
      faulty->FailNth(op, n);
      Status s = Import(store, "new", layers, {"new:1", "base:1"});
      ASSERT_FALSE(s.ok()) << "the fault did not hit";
      EXPECT_EQ(s.code(), StatusCode::kIOError);
      faulty->Clear();
      // The index is untouched; blobs committed before the failure are at
      // most unreferenced orphans, which garbage collection removes.
      auto report = store.Check();
      ASSERT_OK(report);
      EXPECT_TRUE(report->ok());
      ASSERT_OK(store.CollectGarbage());
      EXPECT_EQ(Take(store), before);
      EXPECT_TRUE(fs::is_empty(dir.path() + "/tmp"));
    }
  }
  ASSERT_OK(Import(store, "new", layers, {"new:1"}));
  EXPECT_OK(store.Fsck());
  EXPECT_NE(Take(store), before);
}

TEST(StoreFaultTest, FailedBlobDeleteAfterRemovalIsCollectedLater) {
  TempDir dir;
  auto metadata = MetadataStore::Open(dir.path() + "/db");
  ASSERT_OK(metadata);
  auto faulty_owned =
      std::make_unique<FaultInjectionBlobStore>(std::make_unique<MemoryBlobStore>());
  FaultInjectionBlobStore* faulty = faulty_owned.get();
  Store store(std::move(faulty_owned), std::move(metadata).value());
  ASSERT_OK(Import(store, "a", {"l1"}, {"a:1"}));
  faulty->FailNth(BlobFault::kDelete, 1, /*sticky=*/true);
  auto out = store.Untag("a:1");
  ASSERT_OK(out);  // the removal happened; the files wait for GC
  EXPECT_EQ(store.Check()->orphan_blobs.size(), 3u);
  EXPECT_OK(store.Fsck());
  faulty->Clear();
  ASSERT_OK(store.CollectGarbage());
  EXPECT_TRUE(store.blobs().List()->empty());
}

}  // namespace
}  // namespace strata::cache
