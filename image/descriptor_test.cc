#include "image/descriptor.h"

#include <gtest/gtest.h>

#include "image/media_types.h"

namespace strata::image {
namespace {

const std::string kHex(64, 'a');

TEST(DescriptorTest, RoundTripsWithPlatformAndAnnotations) {
  Descriptor d;
  d.media_type = std::string(media_type::kOciManifest);
  d.digest = Digest::Sha256FromHex(kHex);
  d.size = 527;
  d.annotations = {{"z", "1"}, {"a", "2"}};
  d.platform = Platform{"arm64", "linux", "", {}, "v8"};
  std::string json = d.ToJson();
  EXPECT_EQ(json,
            "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" +
                kHex +
                "\",\"size\":527,\"annotations\":{\"a\":\"2\",\"z\":\"1\"},"
                "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}");
  Result<Descriptor> back = Descriptor::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, d);
  EXPECT_EQ(back->platform->ToString(), "linux/arm64/v8");
}

TEST(DescriptorTest, RejectsMissingAndMistypedFields) {
  Result<Descriptor> missing = Descriptor::FromJson(R"({"mediaType":"x","size":1})");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsInvalidArgument());
  EXPECT_NE(missing.status().message().find("\"digest\""), std::string::npos);

  Result<Descriptor> bad_size = Descriptor::FromJson(
      R"({"mediaType":"x","digest":"sha256:)" + kHex + R"(","size":"12"})");
  ASSERT_FALSE(bad_size.ok());
  EXPECT_NE(bad_size.status().message().find("\"size\": expected an integer"), std::string::npos);

  Result<Descriptor> bad_digest =
      Descriptor::FromJson(R"({"mediaType":"x","digest":"sha256:zz","size":1})");
  ASSERT_FALSE(bad_digest.ok());
  EXPECT_NE(bad_digest.status().message().find("digest"), std::string::npos);

  EXPECT_FALSE(Descriptor::FromJson("{not json").ok());
  EXPECT_FALSE(Descriptor::FromJson("[]").ok());
}

TEST(MediaTypesTest, ClassifiesOciAndDocker) {
  EXPECT_TRUE(media_type::IsManifest(media_type::kDockerManifest));
  EXPECT_TRUE(media_type::IsManifest(media_type::kOciManifest));
  EXPECT_TRUE(media_type::IsIndex(media_type::kDockerManifestList));
  EXPECT_TRUE(media_type::IsIndex(media_type::kOciIndex));
  EXPECT_TRUE(media_type::IsConfig(media_type::kDockerConfig));
  EXPECT_TRUE(media_type::IsLayer(media_type::kDockerLayerGzip));
  EXPECT_TRUE(media_type::IsLayer(media_type::kOciLayerZstd));
  EXPECT_FALSE(media_type::IsLayer(media_type::kOciConfig));
}

}  // namespace
}  // namespace strata::image
