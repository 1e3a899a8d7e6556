#include "cache/metadata_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "cache/test_records.h"
#include "cache/test_util.h"

namespace strata::cache {
namespace {

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto opened = MetadataStore::Open(dir_.path() + "/db");
    ASSERT_OK(opened);
    db_ = std::move(opened).value();
  }
  uint64_t Refs(const std::string& content) {
    return db_->BlobRefCount(Digest::Sha256Of(content)).value_or(9999);
  }

  TempDir dir_;
  std::unique_ptr<MetadataStore> db_;
};

TEST_F(MetadataStoreTest, NewStoreHasSchemaVersion) {
  EXPECT_EQ(*db_->SchemaVersion(), MetadataStore::kSchemaVersion);
}

TEST_F(MetadataStoreTest, SecondOpenWhileLockedIsUnavailable) {
  auto second = MetadataStore::Open(dir_.path() + "/db");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("another strata process"), std::string::npos)
      << second.status().message();
}

TEST_F(MetadataStoreTest, PutImageWritesImageTagsAndRefsTogether) {
  ImageRecord image = MakeImage("a", {"l1", "l2"});
  ASSERT_OK(db_->PutImage(image, {"docker.io/library/a:latest", "docker.io/library/a:1"}));
  Reopen();  // durable across reopen
  auto got = db_->GetImage(image.id);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, image);
  EXPECT_EQ(**db_->ResolveTag("docker.io/library/a:latest"), image.id);
  EXPECT_EQ(Refs("l1"), 1u);
  EXPECT_EQ(Refs("config:a"), 1u);
  EXPECT_EQ(Refs("manifest:a"), 1u);
  EXPECT_EQ(db_->ListTags()->size(), 2u);
  EXPECT_EQ(db_->TagsOf(image.id)->size(), 2u);
}

TEST_F(MetadataStoreTest, SharedLayersAreCountedPerImage) {
  ASSERT_OK(db_->PutImage(MakeImage("a", {"base", "a1"}), {"a:1"}));
  ASSERT_OK(db_->PutImage(MakeImage("b", {"base", "b1", "base"}), {"b:1"}));
  EXPECT_EQ(Refs("base"), 2u);  // once per image, even when repeated in one
  EXPECT_EQ(Refs("a1"), 1u);
}

TEST_F(MetadataStoreTest, RePutSameImageDoesNotDoubleCount) {
  ImageRecord image = MakeImage("a", {"l1"});
  ASSERT_OK(db_->PutImage(image, {"a:1"}));
  ASSERT_OK(db_->PutImage(image, {"a:2"}));
  EXPECT_EQ(Refs("l1"), 1u);
  EXPECT_EQ(db_->TagsOf(image.id)->size(), 2u);
}

TEST_F(MetadataStoreTest, PutImageRejectsIdThatIsNotTheConfigDigest) {
  ImageRecord image = MakeImage("a", {"l1"});
  image.id = Digest::Sha256Of("other");
  EXPECT_EQ(db_->PutImage(image, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(db_->ListImages()->empty());
  EXPECT_TRUE(db_->ListBlobRefs()->empty());
}

TEST_F(MetadataStoreTest, UntagLastTagRemovesImageAndReturnsExactlyTheFreedBlobs) {
  ASSERT_OK(db_->PutImage(MakeImage("a", {"base", "a1"}), {"a:1", "a:2"}));
  ASSERT_OK(db_->PutImage(MakeImage("b", {"base", "b1"}), {"b:1"}));

  auto first = db_->Untag("a:1");
  ASSERT_OK(first);
  EXPECT_EQ(first->untagged, std::vector<std::string>{"a:1"});
  EXPECT_TRUE(first->deleted_images.empty());
  EXPECT_TRUE(first->unreferenced_blobs.empty());

  auto last = db_->Untag("a:2");
  ASSERT_OK(last);
  EXPECT_EQ(last->deleted_images, std::vector<Digest>{MakeImage("a", {}).id});
  std::vector<Digest> freed = last->unreferenced_blobs;
  std::sort(freed.begin(), freed.end());
  std::vector<Digest> want = {Digest::Sha256Of("a1"), Digest::Sha256Of("config:a"),
                              Digest::Sha256Of("manifest:a")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(freed, want);  // "base" is still used by b
  EXPECT_EQ(Refs("base"), 1u);
  EXPECT_EQ(Refs("a1"), 0u);
  EXPECT_FALSE(db_->GetImage(MakeImage("a", {}).id)->has_value());
}

TEST_F(MetadataStoreTest, UntagUnknownIsNotFound) {
  EXPECT_EQ(db_->Untag("nope:latest").status().code(), StatusCode::kNotFound);
}

TEST_F(MetadataStoreTest, RemoveImageDropsAllItsTags) {
  ImageRecord image = MakeImage("a", {"l1"});
  ASSERT_OK(db_->PutImage(image, {"a:1", "a:2"}));
  auto out = db_->RemoveImage(image.id);
  ASSERT_OK(out);
  EXPECT_EQ(out->untagged.size(), 2u);
  EXPECT_EQ(out->unreferenced_blobs.size(), 3u);
  EXPECT_TRUE(db_->ListTags()->empty());
  EXPECT_TRUE(db_->ListBlobRefs()->empty());
  EXPECT_EQ(db_->RemoveImage(image.id).status().code(), StatusCode::kNotFound);
}

TEST_F(MetadataStoreTest, TagMovesAndOldImageStays) {
  ImageRecord a = MakeImage("a", {"l1"});
  ImageRecord b = MakeImage("b", {"l2"});
  ASSERT_OK(db_->PutImage(a, {"app:latest"}));
  ASSERT_OK(db_->PutImage(b, {"app:latest"}));
  EXPECT_EQ(**db_->ResolveTag("app:latest"), b.id);
  EXPECT_TRUE(db_->GetImage(a.id)->has_value());
  ASSERT_OK(db_->Tag("app:old", a.id));
  EXPECT_EQ(**db_->ResolveTag("app:old"), a.id);
  EXPECT_EQ(db_->Tag("x:y", Digest::Sha256Of("no image")).code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Tag("", a.id).code(), StatusCode::kInvalidArgument);
}

TEST_F(MetadataStoreTest, FindImageByPrefix) {
  ImageRecord a = MakeImage("a", {});
  ImageRecord b = MakeImage("b", {});
  ASSERT_OK(db_->PutImage(a, {}));
  ASSERT_OK(db_->PutImage(b, {}));
  EXPECT_EQ(db_->FindImageByPrefix(a.id.hex().substr(0, 12))->id, a.id);
  EXPECT_EQ(db_->FindImageByPrefix("sha256:" + b.id.hex().substr(0, 5))->id, b.id);
  EXPECT_EQ(db_->FindImageByPrefix(a.id.hex())->id, a.id);
  // Every id starts with some hex digit; find one both share, if any, else "".
  size_t common = 0;
  while (a.id.hex()[common] == b.id.hex()[common]) ++common;
  if (common > 0) {
    EXPECT_EQ(db_->FindImageByPrefix(a.id.hex().substr(0, common)).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(db_->FindImageByPrefix("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->FindImageByPrefix("XYZ").status().code(), StatusCode::kInvalidArgument);
  std::string absent = a.id.hex()[0] == '0' ? "1" : "0";
  absent += std::string(63, '0');
  EXPECT_EQ(db_->FindImageByPrefix(absent).status().code(), StatusCode::kNotFound);
}

TEST_F(MetadataStoreTest, AmbiguousPrefixIsReported) {
  // Make images until two share a first hex digit (pigeonhole: at most 17).
  std::map<char, Digest> seen;
  for (int i = 0;; ++i) {
    ImageRecord r = MakeImage("img" + std::to_string(i), {});
    ASSERT_OK(db_->PutImage(r, {}));
    char first = r.id.hex()[0];
    if (seen.count(first)) {
      auto found = db_->FindImageByPrefix(std::string(1, first));
      EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(found.status().message().find("ambiguous"), std::string::npos);
      break;
    }
    seen[first] = r.id;
  }
}

TEST_F(MetadataStoreTest, CacheEntryAbsentIsNotFailure) {
  auto got = db_->GetCacheEntry(Digest::Sha256Of("k"), "team");
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
}

TEST_F(MetadataStoreTest, CacheEntriesPerNamespaceWithRefs) {
  CacheEntry a = MakeEntry("step", "team-a", "layer");
  CacheEntry b = MakeEntry("step", "team-b", "layer");
  b.shared = true;
  ASSERT_OK(db_->PutCacheEntry(a));
  ASSERT_OK(db_->PutCacheEntry(b));
  EXPECT_EQ(**db_->GetCacheEntry(a.key, "team-a"), a);
  EXPECT_EQ(**db_->GetCacheEntry(a.key, "team-b"), b);
  EXPECT_FALSE(db_->GetCacheEntry(a.key, "team")->has_value());  // no prefix match
  EXPECT_EQ(db_->GetCacheEntries(a.key)->size(), 2u);
  EXPECT_EQ(db_->ListCacheEntries()->size(), 2u);
  EXPECT_EQ(Refs("layer"), 2u);

  // Replacing an entry moves its reference.
  CacheEntry a2 = MakeEntry("step", "team-a", "layer2");
  ASSERT_OK(db_->PutCacheEntry(a2));
  EXPECT_EQ(Refs("layer"), 1u);
  EXPECT_EQ(Refs("layer2"), 1u);

  auto out = db_->RemoveCacheEntry(a.key, "team-b");
  ASSERT_OK(out);
  EXPECT_EQ(out->unreferenced_blobs, std::vector<Digest>{Digest::Sha256Of("layer")});
  EXPECT_EQ(db_->RemoveCacheEntry(a.key, "team-b").status().code(), StatusCode::kNotFound);
}

TEST_F(MetadataStoreTest, CacheEntryWithoutLayerHoldsNoRef) {
  ASSERT_OK(db_->PutCacheEntry(MakeEntry("env", "t", "")));
  EXPECT_TRUE(db_->ListBlobRefs()->empty());
}

TEST_F(MetadataStoreTest, ImageAndCacheEntryShareALayer) {
  ASSERT_OK(db_->PutImage(MakeImage("a", {"layer"}), {"a:1"}));
  ASSERT_OK(db_->PutCacheEntry(MakeEntry("k", "t", "layer")));
  auto out = db_->Untag("a:1");
  ASSERT_OK(out);
  EXPECT_EQ(std::count(out->unreferenced_blobs.begin(), out->unreferenced_blobs.end(),
                       Digest::Sha256Of("layer")),
            0);
  EXPECT_EQ(Refs("layer"), 1u);
}

TEST_F(MetadataStoreTest, BuildRecords) {
  BuildRecord b;
  b.id = "build-1";
  b.ns = "t";
  b.state = BuildState::kSucceeded;
  b.image_id = Digest::Sha256Of("img");
  ASSERT_OK(db_->PutBuild(b));
  EXPECT_EQ(**db_->GetBuild("build-1"), b);
  EXPECT_FALSE(db_->GetBuild("build-2")->has_value());
  EXPECT_EQ(db_->ListBuilds()->size(), 1u);
  EXPECT_EQ(db_->PutBuild(BuildRecord{}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::cache
