#include "cache/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "cache/file_blob_store.h"
#include "cache/memory_blob_store.h"
#include "cache/test_util.h"

namespace strata::cache {
namespace {

namespace fs = std::filesystem;

// The contract tests run against every implementation.
class BlobStoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "file") {
      auto opened = FileBlobStore::Open(dir_.path());
      ASSERT_OK(opened);
      store_ = std::move(opened).value();
    } else {
      store_ = std::make_unique<MemoryBlobStore>();
    }
  }

  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_P(BlobStoreContractTest, WriteCommitReadBack) {
  auto writer = store_->Create();
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Write("hello, ", 7));
  ASSERT_OK((*writer)->Write(std::string_view("world")));
  auto digest = (*writer)->Commit(std::nullopt);
  ASSERT_OK(digest);
  EXPECT_EQ(*digest, Digest::Sha256Of("hello, world"));
  EXPECT_TRUE(*store_->Has(*digest));
  EXPECT_EQ(*store_->Size(*digest), 12u);
  EXPECT_EQ(*store_->ReadAll(*digest), "hello, world");
  EXPECT_OK(VerifyBlob(*store_, *digest));
}

TEST_P(BlobStoreContractTest, DeferredWriterCommitsVisiblyAndSyncMakesDurable) {
  auto writer = store_->CreateDeferred();
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Write(std::string_view("context file")));
  auto digest = (*writer)->Commit(Digest::Sha256Of("context file"));
  ASSERT_OK(digest);
  EXPECT_EQ(*store_->ReadAll(*digest), "context file");
  EXPECT_OK(store_->Sync());
  auto bad = store_->CreateDeferred();
  ASSERT_OK(bad);
  ASSERT_OK((*bad)->Write(std::string_view("x")));
  EXPECT_EQ((*bad)->Commit(Digest::Sha256Of("y")).status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(*store_->Has(Digest::Sha256Of("x")));
}

TEST_P(BlobStoreContractTest, StreamingReadInChunks) {
  std::string big(300000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  auto digest = store_->Put(big);
  ASSERT_OK(digest);
  auto reader = store_->Open(*digest);
  ASSERT_OK(reader);
  EXPECT_EQ((*reader)->size(), big.size());
  std::string got;
  char buf[4096];
  while (true) {
    auto n = (*reader)->Read(buf, sizeof buf);
    ASSERT_OK(n);
    if (*n == 0) break;
    got.append(buf, *n);
  }
  EXPECT_EQ(got, big);
}

TEST_P(BlobStoreContractTest, WrongExpectedDigestIsCorruptionAndLeavesNothing) {
  auto writer = store_->Create();
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Write("payload", 7));
  auto result = (*writer)->Commit(Digest::Sha256Of("something else"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(*store_->Has(Digest::Sha256Of("payload")));
  EXPECT_FALSE(*store_->Has(Digest::Sha256Of("something else")));
  EXPECT_TRUE(store_->List()->empty());
}

TEST_P(BlobStoreContractTest, MatchingExpectedDigestCommits) {
  auto digest = store_->Put("abc", Digest::Sha256Of("abc"));
  ASSERT_OK(digest);
  EXPECT_EQ(*digest, Digest::Sha256Of("abc"));
}

TEST_P(BlobStoreContractTest, WriterDestroyedWithoutCommitLeavesNothing) {
  {
    auto writer = store_->Create();
    ASSERT_OK(writer);
    ASSERT_OK((*writer)->Write("abandoned", 9));
  }
  EXPECT_FALSE(*store_->Has(Digest::Sha256Of("abandoned")));
  EXPECT_TRUE(store_->List()->empty());
}

TEST_P(BlobStoreContractTest, CommitTwiceIsAnError) {
  auto writer = store_->Create();
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Commit(std::nullopt));
  EXPECT_FALSE((*writer)->Commit(std::nullopt).ok());
}

TEST_P(BlobStoreContractTest, SameContentTwiceIsOneBlob) {
  ASSERT_OK(store_->Put("same"));
  ASSERT_OK(store_->Put("same"));
  EXPECT_EQ(store_->List()->size(), 1u);
}

TEST_P(BlobStoreContractTest, MissingBlobIsNotFound) {
  Digest missing = Digest::Sha256Of("missing");
  EXPECT_FALSE(*store_->Has(missing));
  EXPECT_EQ(store_->Size(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Open(missing).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete(missing).code(), StatusCode::kNotFound);
}

TEST_P(BlobStoreContractTest, DeleteAndListSorted) {
  auto a = store_->Put("a");
  auto b = store_->Put("b");
  auto c = store_->Put("c");
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(c);
  ASSERT_OK(store_->Delete(*b));
  auto listed = store_->List();
  ASSERT_OK(listed);
  std::vector<Digest> want = {*a, *c};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*listed, want);
}

TEST_P(BlobStoreContractTest, PutFileStoresContentAndKeepsSource) {
  std::string src = dir_.path() + "/source.bin";
  { std::ofstream(src, std::ios::binary) << "file content"; }
  auto digest = store_->PutFile(src, Digest::Sha256Of("file content"));
  ASSERT_OK(digest);
  EXPECT_EQ(*store_->ReadAll(*digest), "file content");
  EXPECT_TRUE(fs::exists(src));

  auto bad = store_->PutFile(src, Digest::Sha256Of("other"));
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(store_->List()->size(), 1u);
  EXPECT_EQ(store_->PutFile(dir_.path() + "/absent", std::nullopt).status().code(),
            StatusCode::kNotFound);
}

TEST_P(BlobStoreContractTest, AdoptFileTakesTheFileAway) {
  std::string src = dir_.path() + "/download.bin";
  { std::ofstream(src, std::ios::binary) << "downloaded"; }
  auto digest = store_->AdoptFile(src, Digest::Sha256Of("downloaded"));
  ASSERT_OK(digest);
  EXPECT_EQ(*digest, Digest::Sha256Of("downloaded"));
  EXPECT_EQ(*store_->ReadAll(*digest), "downloaded");
  EXPECT_FALSE(fs::exists(src));
  EXPECT_EQ(store_->AdoptFile(dir_.path() + "/absent", Digest::Sha256Of("x")).status().code(),
            StatusCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Implementations, BlobStoreContractTest,
                         ::testing::Values("file", "memory"),
                         [](const auto& info) { return info.param; });

TEST(FileBlobStoreTest, LayoutAndReadOnlyBlobs) {
  TempDir dir;
  auto store = FileBlobStore::Open(dir.path());
  ASSERT_OK(store);
  auto digest = (*store)->Put("layout");
  ASSERT_OK(digest);
  std::string path = dir.path() + "/blobs/sha256/" + digest->hex();
  EXPECT_EQ((*store)->BlobPath(*digest), path);
  BlobStore& as_store = **store;
  EXPECT_EQ(as_store.FilePath(*digest), std::optional<std::string>(path));
  MemoryBlobStore memory;
  EXPECT_EQ(memory.FilePath(*digest), std::nullopt);  // keeps no files
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  EXPECT_TRUE(fs::is_empty(dir.path() + "/tmp"));
}

TEST(FileBlobStoreTest, PartialWriteIsOnlyInTmpAndOpenClearsIt) {
  TempDir dir;
  auto store = FileBlobStore::Open(dir.path());
  ASSERT_OK(store);
  auto writer = (*store)->Create();
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Write("partial", 7));
  EXPECT_TRUE(fs::is_empty(dir.path() + "/blobs/sha256"));
  EXPECT_FALSE(fs::is_empty(dir.path() + "/tmp"));
  // A stale file from a crashed process: the next open removes it.
  { std::ofstream(dir.path() + "/tmp/999999-0") << "stale"; }
  auto reopened = FileBlobStore::Open(dir.path());
  ASSERT_OK(reopened);
  EXPECT_TRUE(fs::is_empty(dir.path() + "/tmp"));
}

TEST(FileBlobStoreTest, ListIgnoresForeignNames) {
  TempDir dir;
  auto store = FileBlobStore::Open(dir.path());
  ASSERT_OK(store);
  ASSERT_OK((*store)->Put("x"));
  { std::ofstream(dir.path() + "/blobs/sha256/not-a-digest") << "?"; }
  EXPECT_EQ((*store)->List()->size(), 1u);
}

TEST(FileBlobStoreTest, RejectsNonSha256Digests) {
  TempDir dir;
  auto store = FileBlobStore::Open(dir.path());
  ASSERT_OK(store);
  auto sha512 = Digest::Parse("sha512:" + std::string(128, 'a'));
  ASSERT_OK(sha512);
  EXPECT_EQ((*store)->Has(*sha512).status().code(), StatusCode::kInvalidArgument);
}

TEST(FileBlobStoreTest, VerifyDetectsCorruptFile) {
  TempDir dir;
  auto store = FileBlobStore::Open(dir.path());
  ASSERT_OK(store);
  auto digest = (*store)->Put("original");
  ASSERT_OK(digest);
  std::string path = (*store)->BlobPath(*digest);
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  { std::ofstream(path, std::ios::trunc) << "tampered"; }
  EXPECT_EQ(VerifyBlob(**store, *digest).code(), StatusCode::kCorruption);
}

TEST(MemoryBlobStoreTest, VerifyDetectsCorruption) {
  MemoryBlobStore store;
  auto digest = store.Put("original");
  ASSERT_OK(digest);
  store.CorruptForTest(*digest, "tampered");
  EXPECT_EQ(VerifyBlob(store, *digest).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace strata::cache
