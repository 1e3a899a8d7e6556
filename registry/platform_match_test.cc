#include "registry/platform_match.h"

#include <gtest/gtest.h>

#include "image/media_types.h"

namespace strata::registry {
namespace {

image::Descriptor Entry(std::string os, std::string arch, std::string variant, char fill) {
  image::Descriptor d;
  d.media_type = std::string(image::media_type::kOciManifest);
  d.digest = Digest::Sha256FromHex(std::string(64, fill));
  d.size = 100;
  d.platform = image::Platform{arch, os, "", {}, variant};
  return d;
}

image::Index ThreePlatforms() {
  image::Index index;
  index.media_type = std::string(image::media_type::kOciIndex);
  index.manifests = {Entry("unknown", "unknown", "", 'a'), Entry("linux", "arm64", "v8", 'b'),
                     Entry("linux", "amd64", "", 'c'), Entry("linux", "s390x", "", 'd')};
  return index;
}

TEST(PlatformMatchTest, ParsesOsArchVariant) {
  auto p = ParsePlatform("linux/arm64/v8");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->os, "linux");
  EXPECT_EQ(p->architecture, "arm64");
  EXPECT_EQ(p->variant, "v8");
  auto arch_only = ParsePlatform("amd64");
  ASSERT_TRUE(arch_only.ok());
  EXPECT_EQ(arch_only->ToString(), "linux/amd64");
}

TEST(PlatformMatchTest, RejectsMalformedText) {
  for (const char* bad : {"", "/", "linux/", "a/b/c/d", "linux//amd64"}) {
    EXPECT_FALSE(ParsePlatform(bad).ok()) << bad;
  }
}

TEST(PlatformMatchTest, PicksTheMatchingEntryAndSkipsAttestations) {
  auto amd64 = SelectPlatform(ThreePlatforms(), *ParsePlatform("linux/amd64"));
  ASSERT_TRUE(amd64.ok()) << amd64.status().ToString();
  EXPECT_EQ(amd64->digest, Digest::Sha256FromHex(std::string(64, 'c')));
  // arm64 without a variant is v8.
  auto arm64 = SelectPlatform(ThreePlatforms(), *ParsePlatform("linux/arm64"));
  ASSERT_TRUE(arm64.ok());
  EXPECT_EQ(arm64->digest, Digest::Sha256FromHex(std::string(64, 'b')));
}

TEST(PlatformMatchTest, NoMatchListsWhatIsAvailable) {
  auto none = SelectPlatform(ThreePlatforms(), *ParsePlatform("linux/riscv64"));
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.status().IsNotFound());
  EXPECT_EQ(none.status().message(),
            "no matching manifest for linux/riscv64 in the manifest list entries (available: "
            "linux/arm64/v8, linux/amd64, linux/s390x)");
  EXPECT_FALSE(SelectPlatform(ThreePlatforms(), *ParsePlatform("linux/arm64/v7")).ok());
}

TEST(PlatformMatchTest, HostPlatformIsLinux) {
  EXPECT_EQ(HostPlatform().substr(0, 6), "linux/");
}

}  // namespace
}  // namespace strata::registry
