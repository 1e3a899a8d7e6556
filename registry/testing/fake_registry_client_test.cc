#include "registry/testing/fake_registry_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "image/index.h"
#include "image/manifest.h"
#include "image/media_types.h"

namespace strata::registry::testing {
namespace {

image::Reference Ref(const std::string& text) { return *image::ParseReference(text); }

std::string TempPath() {
  char tmpl[] = "/tmp/fake-registry-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  return tmpl;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FakeRegistryClientTest, ResolvesATagThroughAnIndexToThePlatformsManifest) {
  FakeRegistryClient fake;
  const std::string repo = "127.0.0.1:5000/app";
  image::Descriptor config = fake.AddBlob(repo, "{}", std::string(image::media_type::kOciConfig));
  image::Manifest manifest;
  manifest.media_type = std::string(image::media_type::kOciManifest);
  manifest.config = config;
  Digest manifest_digest = fake.AddManifest(repo, "", manifest.media_type, manifest.ToJson());
  image::Index index;
  index.media_type = std::string(image::media_type::kOciIndex);
  image::Descriptor entry;
  entry.media_type = manifest.media_type;
  entry.digest = manifest_digest;
  entry.size = static_cast<int64_t>(manifest.ToJson().size());
  entry.platform = image::Platform{"amd64", "linux", "", {}, ""};
  index.manifests = {entry};
  Digest index_digest = fake.AddManifest(repo, "v1", index.media_type, index.ToJson());

  auto resolved = fake.Resolve(Ref(repo + ":v1"), "linux/amd64");
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->top_digest, index_digest);
  EXPECT_EQ(resolved->manifest.digest, manifest_digest);
  EXPECT_FALSE(fake.Resolve(Ref(repo + ":v1"), "linux/arm64").ok());
  EXPECT_TRUE(fake.Resolve(Ref(repo + ":v2"), "linux/amd64").status().IsNotFound());
}

TEST(FakeRegistryClientTest, PushedBlobsAreFetchedBackAndCorruptionIsReported) {
  FakeRegistryClient fake;
  const auto repo = Ref("127.0.0.1:5000/app");
  std::string src = TempPath();
  { std::ofstream(src) << "layer bytes"; }
  image::Descriptor blob;
  blob.digest = Digest::Sha256Of("layer bytes");
  blob.size = 11;
  auto pushed = fake.PushBlob(repo, blob, src, "", nullptr);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_TRUE(*pushed);
  EXPECT_FALSE(*fake.PushBlob(repo, blob, src, "", nullptr));  // already there
  EXPECT_EQ(fake.blob_pushes(), 1);

  std::string dest = TempPath();
  ASSERT_TRUE(fake.FetchBlob(repo, blob, dest, nullptr, nullptr).ok());
  EXPECT_EQ(Slurp(dest), "layer bytes");
  fake.CorruptBlob(blob.digest);
  EXPECT_EQ(fake.FetchBlob(repo, blob, dest, nullptr, nullptr).code(), StatusCode::kCorruption);
  fake.SetDown(true);
  Status down = fake.FetchBlob(repo, blob, dest, nullptr, nullptr);
  EXPECT_EQ(down.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(down.retryable());
  unlink(src.c_str());
  unlink(dest.c_str());
}

}  // namespace
}  // namespace strata::registry::testing
