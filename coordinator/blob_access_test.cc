#include "coordinator/blob_access.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cache/store.h"
#include "common/testing/temp_dir.h"

namespace strata::coordinator {
namespace {

Digest PutBlob(cache::Store& store, const std::string& content) {
  Result<std::unique_ptr<cache::BlobWriter>> writer = store.blobs().Create();
  EXPECT_TRUE(writer.ok());
  EXPECT_TRUE((*writer)->Write(content.data(), content.size()).ok());
  Result<Digest> digest = (*writer)->Commit(std::nullopt);
  EXPECT_TRUE(digest.ok()) << digest.status().ToString();
  return *digest;
}

cache::CacheEntry EntryOf(const std::string& ns, const Digest& layer, bool shared) {
  cache::CacheEntry entry;
  entry.key = Digest::Sha256Of("key of " + ns + layer.hex());
  entry.ns = ns;
  entry.shared = shared;
  entry.layer_digest = layer;
  entry.diff_id = layer;
  entry.size = 1;
  entry.media_type = "application/vnd.oci.image.layer.v1.tar";
  entry.metadata = "{}";
  return entry;
}

Caller Member(const std::string& ns) {
  Caller caller;
  caller.ns = ns;
  caller.role = Role::kMember;
  caller.local = false;
  return caller;
}

TEST(BlobAccessTest, ATeamReadsItsOwnAndSharedLayersOnlyAndOthersAreNotFound) {
  Result<std::unique_ptr<cache::Store>> store =
      cache::Store::Open(testing::MakeTempDir("blob-access"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Digest private_a = PutBlob(**store, "team a's private layer");
  Digest shared_a = PutBlob(**store, "team a's shared layer");
  Digest loose = PutBlob(**store, "a blob no record names");
  ASSERT_TRUE((*store)->PutCacheEntry(EntryOf("team-a", private_a, false)).ok());
  ASSERT_TRUE((*store)->PutCacheEntry(EntryOf("team-a", shared_a, true)).ok());

  EXPECT_TRUE(CheckBlobReadable(**store, Member("team-a"), private_a.ToString()).ok());
  Status other = CheckBlobReadable(**store, Member("team-b"), private_a.ToString());
  EXPECT_EQ(other.code(), StatusCode::kNotFound);
  EXPECT_EQ(other.message(), "blob " + private_a.ToString() + " not found");
  EXPECT_TRUE(CheckBlobReadable(**store, Member("team-b"), shared_a.ToString()).ok());
  EXPECT_EQ(CheckBlobReadable(**store, Member("team-a"), loose.ToString()).code(),
            StatusCode::kNotFound);
  Caller admin = Member("ops");
  admin.role = Role::kAdmin;
  EXPECT_TRUE(CheckBlobReadable(**store, admin, private_a.ToString()).ok());
}

}  // namespace
}  // namespace strata::coordinator
