#include "image/manifest.h"

#include <gtest/gtest.h>

#include "image/index.h"
#include "image/media_types.h"

namespace strata::image {
namespace {

std::string Hex(char c) { return std::string(64, c); }

Descriptor Desc(std::string_view media, char hex, int64_t size) {
  Descriptor d;
  d.media_type = std::string(media);
  d.digest = Digest::Sha256FromHex(Hex(hex));
  d.size = size;
  return d;
}

// A manifest as Docker's registry serves it (schema 2).
const char* DockerManifestJson() {
  static const std::string json = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1457,
      "digest": "sha256:)" + Hex('1') + R"("
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2591575,
         "digest": "sha256:)" + Hex('2') + R"("
      }
   ]
})";
  return json.c_str();
}

TEST(ManifestTest, ReadsDockerSchema2) {
  Result<Manifest> m = Manifest::FromJson(DockerManifestJson());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, media_type::kDockerManifest);
  EXPECT_EQ(m->config.media_type, media_type::kDockerConfig);
  EXPECT_EQ(m->config.size, 1457);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].media_type, media_type::kDockerLayerGzip);
  EXPECT_EQ(m->layers[0].digest.hex(), Hex('2'));
  EXPECT_FALSE(m->subject.has_value());
}

TEST(ManifestTest, OciRoundTripIsCanonical) {
  Manifest m;
  m.media_type = std::string(media_type::kOciManifest);
  m.config = Desc(media_type::kOciConfig, '3', 10);
  m.layers.push_back(Desc(media_type::kOciLayerGzip, '4', 20));
  m.layers.push_back(Desc(media_type::kOciLayerZstd, '5', 30));
  m.subject = Desc(media_type::kOciManifest, '6', 40);
  m.annotations["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z";
  std::string json = m.ToJson();
  EXPECT_EQ(json.rfind("{\"schemaVersion\":2,\"mediaType\":", 0), 0u) << json;
  Result<Manifest> back = Manifest::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->ToJson(), json);
}

TEST(ManifestTest, ErrorsNameTheField) {
  std::string bad_layer = R"({"schemaVersion":2,"config":{"mediaType":"c","size":1,"digest":"sha256:)" +
                          Hex('1') + R"("},"layers":[{"mediaType":"l","size":1,"digest":"sha256:)" +
                          Hex('2') + R"("},{"mediaType":"l","size":-5,"digest":"sha256:)" + Hex('2') +
                          R"("}]})";
  Result<Manifest> m = Manifest::FromJson(bad_layer);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "manifest: field \"layers[1].size\": must not be negative");

  Result<Manifest> v1 = Manifest::FromJson(R"({"schemaVersion":1})");
  ASSERT_FALSE(v1.ok());
  EXPECT_NE(v1.status().message().find("schemaVersion"), std::string::npos);

  Result<Manifest> no_config = Manifest::FromJson(R"({"schemaVersion":2,"layers":[]})");
  ASSERT_FALSE(no_config.ok());
  EXPECT_EQ(no_config.status().message(), "manifest: field \"config\": is required");

  Result<Manifest> wrong_type = Manifest::FromJson(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("mediaType"), std::string::npos);
}

TEST(IndexTest, ReadsDockerManifestListAndRoundTrips) {
  std::string json = R"({"schemaVersion":2,
    "mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
    "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
      "size":528,"digest":"sha256:)" + Hex('7') + R"(",
      "platform":{"architecture":"arm","os":"linux","variant":"v7"}}]})";
  Result<Index> idx = Index::FromJson(json);
  ASSERT_TRUE(idx.ok()) << idx.status().ToString();
  ASSERT_EQ(idx->manifests.size(), 1u);
  ASSERT_TRUE(idx->manifests[0].platform.has_value());
  EXPECT_EQ(idx->manifests[0].platform->variant, "v7");
  Result<Index> back = Index::FromJson(idx->ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *idx);

  Result<Index> bad = Index::FromJson(R"({"schemaVersion":2,"manifests":[{"mediaType":"x"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("manifests[0]"), std::string::npos);
}

}  // namespace
}  // namespace strata::image
