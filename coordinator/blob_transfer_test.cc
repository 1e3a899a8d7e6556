#include "coordinator/blob_transfer.h"

#include <gtest/gtest.h>

#include "cache/file_blob_store.h"
#include "cache/memory_blob_store.h"
#include "cache/test_util.h"
#include "common/file_util.h"

namespace strata::coordinator {
namespace {

v1::BlobPut Chunk(const std::string& digest, uint64_t offset, const std::string& data, bool last) {
  v1::BlobPut put;
  put.set_digest(digest);
  put.set_offset(offset);
  put.set_data(data);
  put.set_last(last);
  return put;
}

TEST(BlobReceiverTest, ChunksBecomeOneVerifiedBlob) {
  cache::MemoryBlobStore blobs;
  FakeClock clock;
  BlobReceiver receiver(blobs, clock);
  std::string d = Digest::Sha256Of("hello world").ToString();
  EXPECT_FALSE(receiver.Put("k", Chunk(d, 0, "hello ", false)).has_value());
  auto done = receiver.Put("k", Chunk(d, 6, "world", true));
  ASSERT_TRUE(done.has_value());
  ASSERT_TRUE(done->ok()) << done->status().ToString();
  EXPECT_EQ(done->value().ToString(), d);
  EXPECT_EQ(*blobs.ReadAll(**done), "hello world");
  EXPECT_EQ(receiver.pending(), 0u);
}

TEST(BlobReceiverTest, UploadsUnderDistinctKeysInterleave) {
  cache::MemoryBlobStore blobs;
  FakeClock clock;
  BlobReceiver receiver(blobs, clock);
  std::string a = Digest::Sha256Of("aa").ToString(), b = Digest::Sha256Of("bb").ToString();
  EXPECT_FALSE(receiver.Put("1", Chunk(a, 0, "a", false)).has_value());
  EXPECT_FALSE(receiver.Put("2", Chunk(b, 0, "b", false)).has_value());
  EXPECT_TRUE(receiver.Put("2", Chunk(b, 1, "b", true))->ok());
  EXPECT_TRUE(receiver.Put("1", Chunk(a, 1, "a", true))->ok());
}

TEST(BlobReceiverTest, DigestMismatchIsCorruptionAndStoresNothing) {
  cache::MemoryBlobStore blobs;
  FakeClock clock;
  BlobReceiver receiver(blobs, clock);
  std::string d = Digest::Sha256Of("expected").ToString();
  auto done = receiver.Put("k", Chunk(d, 0, "other", true));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(*blobs.Has(*Digest::Parse(d)));
}

TEST(BlobReceiverTest, OffsetGapIsRefused) {
  cache::MemoryBlobStore blobs;
  FakeClock clock;
  BlobReceiver receiver(blobs, clock);
  std::string d = Digest::Sha256Of("abc").ToString();
  EXPECT_FALSE(receiver.Put("k", Chunk(d, 0, "a", false)).has_value());
  auto done = receiver.Put("k", Chunk(d, 2, "c", true));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(receiver.pending(), 0u);
}

TEST(BlobReceiverTest, EmptyBlobIsOneLastChunk) {
  cache::MemoryBlobStore blobs;
  FakeClock clock;
  BlobReceiver receiver(blobs, clock);
  auto done = receiver.Put("k", Chunk(Digest::Sha256Of("").ToString(), 0, "", true));
  ASSERT_TRUE(done.has_value() && done->ok());
}

// 20,000 abandoned uploads must not hold 20,000 temp files and descriptors
// until a restart: an upload idle too long goes, with its temp file.
TEST(BlobReceiverTest, AnIdleUploadIsDroppedWithItsTempFile) {
  cache::TempDir dir;
  auto blobs = cache::FileBlobStore::Open(dir.path() + "/blobs");
  ASSERT_TRUE(blobs.ok()) << blobs.status().ToString();
  FakeClock clock;
  BlobReceiver receiver(**blobs, clock);
  std::string d = Digest::Sha256Of("abcd").ToString();
  EXPECT_FALSE(receiver.Put("idle", Chunk(d, 0, "ab", false)).has_value());
  clock.Advance(50'000'000'000);
  EXPECT_FALSE(receiver.Put("busy", Chunk(d, 0, "ab", false)).has_value());
  ASSERT_EQ(ListDirectory(dir.path() + "/blobs/tmp")->size(), 2u);
  clock.Advance(20'000'000'000);
  EXPECT_EQ(receiver.ExpireIdle(60'000'000'000), 1u);  // "idle": 70 s; "busy": 20 s
  EXPECT_EQ(receiver.pending(), 1u);
  EXPECT_EQ(ListDirectory(dir.path() + "/blobs/tmp")->size(), 1u);
  // The one still going finishes.
  EXPECT_TRUE(receiver.Put("busy", Chunk(d, 2, "cd", true))->ok());
}

TEST(BlobReceiverTest, AbandonDropsTheUploadsOfOnePrefix) {
  cache::MemoryBlobStore blobs;
  FakeClock clock;
  BlobReceiver receiver(blobs, clock);
  std::string d = Digest::Sha256Of("abcd").ToString();
  EXPECT_FALSE(receiver.Put("c/peer-1/7/1", Chunk(d, 0, "ab", false)).has_value());
  EXPECT_FALSE(receiver.Put("c/peer-1/8/1", Chunk(d, 0, "ab", false)).has_value());
  EXPECT_FALSE(receiver.Put("c/peer-2/7/1", Chunk(d, 0, "ab", false)).has_value());
  EXPECT_EQ(receiver.Abandon("c/peer-1/"), 2u);
  EXPECT_EQ(receiver.pending(), 1u);
}

TEST(ServeBlobGetTest, LargeBlobComesInMebibyteChunks) {
  cache::MemoryBlobStore blobs;
  std::string data(kBlobChunkSize * 2 + 10, 'x');
  Digest d = *blobs.Put(data);
  std::vector<protocol::Envelope> sent;
  v1::BlobGet get;
  get.set_digest(d.ToString());
  ServeBlobGet(blobs, 9, get, [&](protocol::Envelope e) { sent.push_back(std::move(e)); });
  ASSERT_EQ(sent.size(), 3u);
  std::string got;
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].request_id(), 9u);
    EXPECT_EQ(sent[i].blob_put().offset(), got.size());
    EXPECT_EQ(sent[i].blob_put().last(), i + 1 == sent.size());
    got += sent[i].blob_put().data();
  }
  EXPECT_EQ(got, data);
}

// However large the blob, one BlobGet is answered with at most
// kBlobGetWindow bytes; the requester asks again from where it ended.
TEST(ServeBlobGetTest, OneAnswerIsAtMostAWindow) {
  cache::MemoryBlobStore blobs;
  std::string data(kBlobGetWindow + kBlobChunkSize / 2, 'y');
  data[kBlobGetWindow] = 'z';
  Digest d = *blobs.Put(data);
  std::vector<protocol::Envelope> sent;
  auto send = [&](protocol::Envelope e) { sent.push_back(std::move(e)); };
  v1::BlobGet get;
  get.set_digest(d.ToString());
  ServeBlobGet(blobs, 4, get, send);
  ASSERT_EQ(sent.size(), kBlobGetWindow / kBlobChunkSize);
  EXPECT_TRUE(sent.back().blob_put().last());
  EXPECT_EQ(sent.back().blob_put().total_size(), data.size());
  uint64_t bytes = 0;
  for (const auto& e : sent) bytes += e.blob_put().data().size();
  EXPECT_EQ(bytes, kBlobGetWindow);

  sent.clear();
  get.set_offset(kBlobGetWindow);
  ServeBlobGet(blobs, 5, get, send);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].blob_put().offset(), kBlobGetWindow);
  EXPECT_EQ(sent[0].blob_put().data(), data.substr(kBlobGetWindow));
  EXPECT_TRUE(sent[0].blob_put().last());
}

TEST(ServeBlobGetTest, RangeAndEmptyAndMissing) {
  cache::MemoryBlobStore blobs;
  Digest d = *blobs.Put("0123456789");
  std::vector<protocol::Envelope> sent;
  auto send = [&](protocol::Envelope e) { sent.push_back(std::move(e)); };
  v1::BlobGet get;
  get.set_digest(d.ToString());
  get.set_offset(2);
  get.set_length(3);
  ServeBlobGet(blobs, 1, get, send);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].blob_put().data(), "234");

  sent.clear();
  Digest empty = *blobs.Put("");
  get.Clear();
  get.set_digest(empty.ToString());
  ServeBlobGet(blobs, 2, get, send);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].blob_put().last());
  EXPECT_TRUE(sent[0].blob_put().data().empty());

  sent.clear();
  get.set_digest(Digest::Sha256Of("absent").ToString());
  ServeBlobGet(blobs, 3, get, send);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_TRUE(sent[0].has_error());
  EXPECT_EQ(sent[0].error().code(), static_cast<int>(StatusCode::kNotFound));
}

}  // namespace
}  // namespace strata::coordinator
