#include "worker/blob_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <thread>

#include "common/testing/temp_dir.h"
#include "protocol/listener.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::worker {
namespace {

// Serves blobs from memory; counts fetches.
class FakeFetcher : public BlobFetcher {
 public:
  Status Fetch(const Digest& digest,
               const std::function<Status(std::string_view)>& write) override {
    ++fetches;
    auto it = blobs.find(digest.ToString());
    if (it == blobs.end()) return Status::NotFound("no blob " + digest.ToString());
    std::string_view data = it->second;
    // Two pieces, as chunks would come.
    TRY(write(data.substr(0, data.size() / 2)));
    return write(data.substr(data.size() / 2));
  }
  std::map<std::string, std::string> blobs;  // digest -> content
  int fetches = 0;
};

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

class BlobCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-blob-cache");
    Result<std::unique_ptr<BlobCache>> cache = BlobCache::Open(dir_ + "/cache", dir_ + "/shared");
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    cache_ = std::move(*cache);
  }
  void TearDown() override {
    if (!HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  std::string dir_;
  std::unique_ptr<BlobCache> cache_;
  FakeFetcher fetcher_;
};

TEST_F(BlobCacheTest, FetchesVerifiesAndKeeps) {
  std::string content = "layer bytes";
  Digest digest = Digest::Sha256Of(content);
  fetcher_.blobs[digest.ToString()] = content;

  Result<std::string> path = cache_->Get(digest, fetcher_);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, dir_ + "/cache/sha256/" + digest.hex());
  EXPECT_EQ(*ReadFile(*path), content);
  EXPECT_EQ(cache_->FindLocal(digest), std::optional<std::string>(*path));

  // The second Get is served from the cache.
  Result<std::string> again = cache_->Get(digest, fetcher_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *path);
  EXPECT_EQ(fetcher_.fetches, 1);
  EXPECT_EQ(FilesIn(dir_ + "/cache/tmp"), 0u);
}

TEST_F(BlobCacheTest, SharedDirComesFirstAndIsNotFetched) {
  std::string content = "from the store";
  Digest digest = Digest::Sha256Of(content);
  ASSERT_TRUE(MakeDirs(dir_ + "/shared/sha256", 0755).ok());
  ASSERT_TRUE(WriteFile(dir_ + "/shared/sha256/" + digest.hex(), content).ok());

  EXPECT_TRUE(cache_->InSharedDir(digest));
  Result<std::string> path = cache_->Get(digest, fetcher_);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, dir_ + "/shared/sha256/" + digest.hex());
  EXPECT_EQ(fetcher_.fetches, 0);
  EXPECT_FALSE(cache_->InSharedDir(Digest::Sha256Of("other")));
}

TEST_F(BlobCacheTest, DigestMismatchIsCorruptionAndLeavesNothing) {
  Digest digest = Digest::Sha256Of("what was asked for");
  fetcher_.blobs[digest.ToString()] = "something else";

  Result<std::string> path = cache_->Get(digest, fetcher_);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), StatusCode::kCorruption) << path.status().ToString();
  EXPECT_NE(path.status().message().find(digest.ToString()), std::string::npos);
  EXPECT_FALSE(cache_->FindLocal(digest).has_value());
  EXPECT_EQ(FilesIn(dir_ + "/cache/tmp"), 0u);
  EXPECT_EQ(FilesIn(dir_ + "/cache/sha256"), 0u);
}

TEST_F(BlobCacheTest, MissingBlobIsNotFound) {
  Result<std::string> path = cache_->Get(Digest::Sha256Of("nowhere"), fetcher_);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FilesIn(dir_ + "/cache/tmp"), 0u);
}

TEST_F(BlobCacheTest, AdoptMovesAFileIn) {
  std::string content = "a layer this worker wrote";
  Digest digest = Digest::Sha256Of(content);
  std::string file = dir_ + "/cache/layer.tar.gz";
  ASSERT_TRUE(WriteFile(file, content).ok());
  ASSERT_TRUE(cache_->Adopt(digest, file).ok());
  EXPECT_EQ(cache_->FindLocal(digest),
            std::optional<std::string>(dir_ + "/cache/sha256/" + digest.hex()));
  struct stat st;
  EXPECT_NE(::stat(file.c_str(), &st), 0);
}

// BlobGet over a real connection: several chunks, then an Error.
TEST(ConnectionBlobFetcherTest, AssemblesChunksAndMapsErrors) {
  std::string dir = strata::testing::MakeTempDir("strata-blob-fetch");
  protocol::Context context;
  Result<std::unique_ptr<protocol::Listener>> listener =
      protocol::Listener::Bind(context, "ipc://" + dir + "/c.sock");
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  std::string content(2500, 'x');
  content += "tail";
  Digest digest = Digest::Sha256Of(content);

  std::thread server([&] {
    for (int served = 0; served < 2;) {
      Result<std::optional<protocol::Incoming>> in = (*listener)->Poll(std::chrono::seconds(5));
      if (!in.ok() || !in->has_value()) return;
      const protocol::Envelope& request = (*in)->envelope;
      if (!request.has_blob_get()) continue;
      ++served;
      if (request.blob_get().digest() != digest.ToString()) {
        (*listener)
            ->Reply((*in)->peer,
                    protocol::ErrorReply(request.request_id(), Status::NotFound("no such blob")))
            .PermitUncheckedError();
        continue;
      }
      // A stray reply to another request first: must be skipped.
      protocol::Envelope stray = protocol::NewEnvelope(request.request_id() + 100);
      stray.mutable_ack();
      (*listener)->Reply((*in)->peer, stray).PermitUncheckedError();
      for (size_t offset = 0; offset < content.size(); offset += 1000) {
        protocol::Envelope chunk = protocol::NewEnvelope(request.request_id());
        chunk.mutable_blob_put()->set_digest(digest.ToString());
        chunk.mutable_blob_put()->set_offset(offset);
        chunk.mutable_blob_put()->set_data(content.substr(offset, 1000));
        chunk.mutable_blob_put()->set_last(offset + 1000 >= content.size());
        (*listener)->Reply((*in)->peer, chunk).PermitUncheckedError();
      }
    }
  });

  Result<std::unique_ptr<protocol::Connection>> connection =
      protocol::Connection::Connect(context, (*listener)->endpoint());
  ASSERT_TRUE(connection.ok());
  ConnectionBlobFetcher fetcher(connection->get(), std::chrono::seconds(5));
  std::string got;
  Status s = fetcher.Fetch(digest, [&](std::string_view data) {
    got.append(data);
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, content);

  Status missing =
      fetcher.Fetch(Digest::Sha256Of("absent"), [](std::string_view) { return Status::OK(); });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  server.join();
  RemoveTree(dir).PermitUncheckedError();
}

// The coordinator answers one BlobGet with a window of the blob at most
// (flow control): the fetcher asks again from where each answer ended.
TEST(ConnectionBlobFetcherTest, AsksWindowAfterWindowUntilTheTotal) {
  std::string dir = strata::testing::MakeTempDir("strata-blob-window");
  protocol::Context context;
  Result<std::unique_ptr<protocol::Listener>> listener =
      protocol::Listener::Bind(context, "ipc://" + dir + "/c.sock");
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  std::string content;
  for (int i = 0; i < 2504; ++i) content += static_cast<char>('a' + i % 26);
  Digest digest = Digest::Sha256Of(content);
  std::vector<uint64_t> asked;  // the offsets of the BlobGets
  std::thread server([&] {
    for (;;) {
      Result<std::optional<protocol::Incoming>> in = (*listener)->Poll(std::chrono::seconds(5));
      if (!in.ok() || !in->has_value()) return;
      const protocol::Envelope& request = (*in)->envelope;
      if (!request.has_blob_get()) continue;
      uint64_t offset = request.blob_get().offset();
      asked.push_back(offset);
      uint64_t end = std::min<uint64_t>(content.size(), offset + 1000);  // a 1000-byte window
      for (uint64_t at = offset; at < end; at += 400) {
        protocol::Envelope chunk = protocol::NewEnvelope(request.request_id());
        v1::BlobPut* put = chunk.mutable_blob_put();
        put->set_digest(digest.ToString());
        put->set_offset(at);
        put->set_data(content.substr(at, std::min<uint64_t>(400, end - at)));
        put->set_total_size(content.size());
        put->set_last(at + 400 >= end);
        (*listener)->Reply((*in)->peer, chunk).PermitUncheckedError();
      }
      if (end == content.size()) return;
    }
  });
  Result<std::unique_ptr<protocol::Connection>> connection =
      protocol::Connection::Connect(context, (*listener)->endpoint());
  ASSERT_TRUE(connection.ok());
  ConnectionBlobFetcher fetcher(connection->get(), std::chrono::seconds(5));
  std::string got;
  Status s = fetcher.Fetch(digest, [&](std::string_view data) {
    got.append(data);
    return Status::OK();
  });
  server.join();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, content);
  EXPECT_EQ(asked, (std::vector<uint64_t>{0, 1000, 2000}));
  RemoveTree(dir).PermitUncheckedError();
}

}  // namespace
}  // namespace strata::worker
