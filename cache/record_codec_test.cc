#include "cache/record_codec.h"

#include <gtest/gtest.h>

#include "cache/test_util.h"

namespace strata::cache {
namespace {

ImageRecord SampleImage() {
  ImageRecord r;
  r.config_digest = Digest::Sha256Of("config");
  r.id = r.config_digest;
  r.manifest_digest = Digest::Sha256Of("manifest");
  r.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
  r.config_media_type = "application/vnd.oci.image.config.v1+json";
  r.layers.push_back({Digest::Sha256Of("l1"), Digest::Sha256Of("d1"), 123,
                      "application/vnd.oci.image.layer.v1.tar+gzip"});
  r.layers.push_back({Digest::Sha256Of("l2"), Digest::Sha256Of("d2"), 1ull << 40,
                      "application/vnd.oci.image.layer.v1.tar"});
  r.layers[0].uncompressed_size = 377'000'000;
  r.layers[1].uncompressed_size = 1ull << 41;
  r.created_unix_nanos = -5;  // before 1970 must survive too
  r.total_size = 999;
  r.platform = "linux/amd64";
  r.repo_digests = {"docker.io/library/busybox@" + Digest::Sha256Of("manifest").ToString(),
                    "127.0.0.1:5000/busybox@" + Digest::Sha256Of("manifest").ToString()};
  return r;
}

TEST(RecordCodecTest, ImageRoundTrip) {
  ImageRecord r = SampleImage();
  auto decoded = DecodeImage(EncodeImage(r));
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, r);
}

TEST(RecordCodecTest, EmptyImageRoundTrip) {
  auto decoded = DecodeImage(EncodeImage(ImageRecord{}));
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, ImageRecord{});
}

TEST(RecordCodecTest, CacheEntryRoundTrip) {
  CacheEntry e;
  e.key = Digest::Sha256Of("key");
  e.ns = "team-a";
  e.shared = true;
  e.layer_digest = Digest::Sha256Of("layer");
  e.diff_id = Digest::Sha256Of("diff");
  e.size = 42;
  e.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  e.metadata = std::string("{\"Env\":[\"A=1\"]}\0binary", 22);
  e.created_unix_nanos = 1700000000123456789;
  e.uncompressed_size = 4096;
  auto decoded = DecodeCacheEntry(EncodeCacheEntry(e));
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, e);
}

TEST(RecordCodecTest, BuildRoundTrip) {
  BuildRecord b;
  b.id = "b-1";
  b.ns = "team-b";
  b.state = BuildState::kFailed;
  b.started_unix_nanos = 1;
  b.finished_unix_nanos = 2;
  b.tags = {"docker.io/library/app:1", "docker.io/library/app:latest"};
  b.steps = 9;
  b.cached_steps = 8;
  b.error = "step 9: exit code 1";
  auto decoded = DecodeBuild(EncodeBuild(b));
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, b);
}

TEST(RecordCodecTest, TagAndCountRoundTrip) {
  Digest id = Digest::Sha256Of("img");
  EXPECT_EQ(*DecodeTag(EncodeTag(id)), id);
  for (uint64_t n : {0ull, 1ull, 127ull, 128ull, 300ull, ~0ull}) {
    EXPECT_EQ(*DecodeCount(EncodeCount(n)), n);
  }
}

TEST(RecordCodecTest, FirstByteIsTheVersion) {
  EXPECT_EQ(EncodeImage(SampleImage())[0], static_cast<char>(kImageRecordVersion));
  EXPECT_EQ(EncodeCacheEntry(CacheEntry{})[0], static_cast<char>(kCacheEntryVersion));
  EXPECT_EQ(EncodeCount(7), std::string("\x01\x07", 2));
}

TEST(RecordCodecTest, UnknownVersionIsCorruptionSayingUpgrade) {
  std::string bytes = EncodeImage(SampleImage());
  bytes[0] = kImageRecordVersion + 1;
  auto decoded = DecodeImage(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("upgrade strata"), std::string::npos);
}

// Short strings only (length < 128: one varint byte).
std::string V1Str(const std::string& s) { return std::string(1, static_cast<char>(s.size())) + s; }

TEST(RecordCodecTest, Version1ImageStillDecodesWithUnknownUncompressedSize) {
  // docs/store-format.md, version 1: no uncompressed_size in Layer.
  Digest id = Digest::Sha256Of("config");
  std::string bytes = "\x01" + V1Str(id.ToString()) + V1Str("") + V1Str("") +
                      V1Str(id.ToString()) + V1Str("cfg") + std::string("\x01", 1) +
                      V1Str(Digest::Sha256Of("l1").ToString()) +
                      V1Str(Digest::Sha256Of("d1").ToString()) + std::string("\x7b", 1) +
                      V1Str("gz") + std::string("\x0a", 1) /* i64 5 */ +
                      std::string("\x64", 1) /* 100 */ + V1Str("linux/amd64");
  auto decoded = DecodeImage(bytes);
  ASSERT_OK(decoded);
  ASSERT_EQ(decoded->layers.size(), 1u);
  EXPECT_EQ(decoded->layers[0].size, 123u);
  EXPECT_EQ(decoded->layers[0].media_type, "gz");
  EXPECT_EQ(decoded->layers[0].uncompressed_size, 0u);
  EXPECT_EQ(decoded->created_unix_nanos, 5);
  EXPECT_EQ(decoded->total_size, 100u);
  EXPECT_EQ(decoded->platform, "linux/amd64");
}

TEST(RecordCodecTest, Version2ImageStillDecodesWithoutRepoDigests) {
  // docs/store-format.md, version 2: the layers' uncompressed sizes, no RepoDigests.
  Digest id = Digest::Sha256Of("config");
  std::string bytes = "\x02" + V1Str(id.ToString()) + V1Str("") + V1Str("") +
                      V1Str(id.ToString()) + V1Str("cfg") + std::string("\x01", 1) +
                      V1Str(Digest::Sha256Of("l1").ToString()) +
                      V1Str(Digest::Sha256Of("d1").ToString()) + std::string("\x7b", 1) +
                      V1Str("gz") + std::string("\x7c", 1) /* 124 */ +
                      std::string("\x0a", 1) /* i64 5 */ + std::string("\x64", 1) /* 100 */ +
                      V1Str("linux/amd64");
  auto decoded = DecodeImage(bytes);
  ASSERT_OK(decoded);
  ASSERT_EQ(decoded->layers.size(), 1u);
  EXPECT_EQ(decoded->layers[0].uncompressed_size, 124u);
  EXPECT_EQ(decoded->platform, "linux/amd64");
  EXPECT_TRUE(decoded->repo_digests.empty());
  // Version 3 adds the list: the same bytes with an empty one are version 3's.
  std::string v3 = bytes + std::string("\x00", 1);
  v3[0] = '\x03';
  auto again = DecodeImage(v3);
  ASSERT_OK(again);
  EXPECT_EQ(*again, *decoded);
  EXPECT_EQ(EncodeImage(*decoded), v3);
}

TEST(RecordCodecTest, Version1CacheEntryStillDecodes) {
  std::string bytes = "\x01" + V1Str(Digest::Sha256Of("k").ToString()) + V1Str("ns") +
                      std::string("\x01", 1) + V1Str("") + V1Str("") + std::string("\x00", 1) +
                      V1Str("") + V1Str("{}") + std::string("\x02", 1) /* i64 1 */;
  auto decoded = DecodeCacheEntry(bytes);
  ASSERT_OK(decoded);
  EXPECT_EQ(decoded->ns, "ns");
  EXPECT_TRUE(decoded->shared);
  EXPECT_EQ(decoded->metadata, "{}");
  EXPECT_EQ(decoded->created_unix_nanos, 1);
  EXPECT_EQ(decoded->uncompressed_size, 0u);
}

TEST(RecordCodecTest, EveryTruncationIsRejected) {
  std::string bytes = EncodeImage(SampleImage());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeImage(bytes.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
}

TEST(RecordCodecTest, TrailingBytesAreRejected) {
  EXPECT_FALSE(DecodeCacheEntry(EncodeCacheEntry(CacheEntry{}) + "x").ok());
}

TEST(RecordCodecTest, HugeLayerCountFailsFast) {
  // version, then empty id/manifest/type/config/type, then a 2^63 layer count
  std::string bytes("\x01\x00\x00\x00\x00\x00", 6);
  bytes += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
  EXPECT_FALSE(DecodeImage(bytes).ok());
}

}  // namespace
}  // namespace strata::cache
