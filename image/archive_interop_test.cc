// Checks that the archives WriteImageArchive writes are read by the tools
// people use (skopeo, umoci), and that ReadImageArchive reads what skopeo
// writes. Local files only; skipped when the tools are not installed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "image/archive_reader.h"
#include "image/archive_test_util.h"
#include "image/archive_writer.h"
#include "image/image_config.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

using ::testing::HasSubstr;
using testing::MemoryBlobStore;
using testing::TempDir;

// Runs `command` with sh, returning its exit status and stdout+stderr.
int RunShell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output->append(buffer, n);
  return ::pclose(pipe);
}

bool Installed(const std::string& tool) {
  std::string out;
  return RunShell("command -v " + tool, &out) == 0;
}

// A one-layer image holding bin/hello, stored in `store`.
ArchiveImage HelloImage(MemoryBlobStore& store, const std::string& root) {
  testing::WriteFile(root + "/bin/hello", "#!/bin/sh\necho hello\n", 0755);
  StringSink blob;
  Result<LayerResult> layer =
      WriteLayer(LayerSource::FromDirectory(root), Compression::kGzip, &blob);
  EXPECT_TRUE(layer.ok()) << layer.status().ToString();
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.config.cmd = std::vector<std::string>{"/bin/hello"};
  config.rootfs.diff_ids = {layer->diff_id};
  std::string config_json = config.ToJson();
  Manifest manifest;
  manifest.media_type = media_type::kOciManifest;
  manifest.config.media_type = media_type::kOciConfig;
  manifest.config.digest = store.Put(config_json);
  manifest.config.size = static_cast<int64_t>(config_json.size());
  Descriptor layer_desc;
  layer_desc.media_type = media_type::kOciLayerGzip;
  layer_desc.digest = store.Put(blob.data());
  layer_desc.size = static_cast<int64_t>(blob.data().size());
  manifest.layers = {layer_desc};
  std::string manifest_json = manifest.ToJson();
  ArchiveImage image;
  image.manifest.media_type = media_type::kOciManifest;
  image.manifest.digest = store.Put(manifest_json);
  image.manifest.size = static_cast<int64_t>(manifest_json.size());
  image.config = manifest.config.digest;
  image.layers = manifest.layers;
  image.tags = {"docker.io/library/hello:latest"};
  return image;
}

class ArchiveInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"skopeo", "umoci", "tar"}) {
      if (!Installed(tool)) GTEST_SKIP() << tool << " is not installed; apt-get install " << tool;
    }
    image_ = HelloImage(store_, dir_ / "tree");
    archive_ = dir_ / "hello.tar";
    Result<std::unique_ptr<FileSink>> out = FileSink::Create(archive_);
    ASSERT_TRUE(out.ok());
    Status s = WriteImageArchive({image_}, store_, out->get());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  TempDir dir_;
  MemoryBlobStore store_;
  ArchiveImage image_;
  std::string archive_;
};

TEST_F(ArchiveInteropTest, SkopeoInspectsItAsOciArchive) {
  std::string out;
  ASSERT_EQ(RunShell("skopeo inspect --raw oci-archive:" + archive_ + ":latest", &out), 0) << out;
  EXPECT_EQ(out, store_.Get(image_.manifest.digest));
  ASSERT_EQ(RunShell("skopeo inspect oci-archive:" + archive_ + ":latest", &out), 0) << out;
  auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["Digest"], image_.manifest.digest.ToString());
  EXPECT_EQ(json["Architecture"], "amd64");
  EXPECT_EQ(json["Layers"][0], image_.layers[0].digest.ToString());
}

TEST_F(ArchiveInteropTest, SkopeoInspectsItAsDockerArchive) {
  std::string out;
  ASSERT_EQ(RunShell("skopeo inspect docker-archive:" + archive_, &out), 0) << out;
  auto json = nlohmann::json::parse(out);
  EXPECT_EQ(json["RepoTags"], nlohmann::json::array());  // skopeo lists registry tags only
  EXPECT_EQ(json["Os"], "linux");
  ASSERT_EQ(RunShell("skopeo inspect --config docker-archive:" + archive_ + ":hello:latest", &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("/bin/hello"));
}

TEST_F(ArchiveInteropTest, UmociUnpacksTheUntarredLayout) {
  std::string layout = dir_ / "layout";
  std::string bundle = dir_ / "bundle";
  ASSERT_TRUE(MakeDirs(layout, 0755).ok());
  std::string out;
  ASSERT_EQ(RunShell("tar -xf " + archive_ + " -C " + layout, &out), 0) << out;
  ASSERT_EQ(RunShell("umoci unpack --image " + layout + ":latest " + bundle, &out), 0) << out;
  EXPECT_EQ(testing::ReadFile(bundle + "/rootfs/bin/hello"), "#!/bin/sh\necho hello\n");
}

TEST_F(ArchiveInteropTest, ReadsWhatSkopeoWrites) {
  std::string out;
  std::string oci = dir_ / "skopeo-oci.tar";
  std::string docker = dir_ / "skopeo-docker.tar";
  ASSERT_EQ(RunShell("skopeo copy --quiet oci-archive:" + archive_ + ":latest oci-archive:" + oci +
                         ":example.com/hello:2",
                     &out),
            0)
      << out;
  ASSERT_EQ(RunShell("skopeo copy --quiet oci-archive:" + archive_ +
                         ":latest docker-archive:" + docker + ":example.com/hello:3",
                     &out),
            0)
      << out;
  for (const auto& [path, tag] :
       {std::pair{oci, "example.com/hello:2"}, std::pair{docker, "example.com/hello:3"}}) {
    Result<std::unique_ptr<FileSource>> in = FileSource::Open(path);
    ASSERT_TRUE(in.ok());
    MemoryBlobStore loaded;
    Result<std::vector<LoadedImage>> images = ReadImageArchive(in->get(), loaded);
    ASSERT_TRUE(images.ok()) << path << ": " << images.status().ToString();
    ASSERT_EQ(images->size(), 1u) << path;
    const LoadedImage& image = (*images)[0];
    EXPECT_EQ(image.tags, std::vector<std::string>{tag}) << path;
    ASSERT_EQ(image.layers.size(), 1u) << path;
    Result<ImageConfig> config = ImageConfig::FromJson(loaded.Get(image.config));
    ASSERT_TRUE(config.ok()) << path;
    EXPECT_EQ(config->config.cmd, std::vector<std::string>{"/bin/hello"}) << path;
    EXPECT_EQ(image.layers[0].diff_id, config->rootfs.diff_ids[0]) << path;
    EXPECT_TRUE(loaded.Has(image.layers[0].digest)) << path;
  }
}

}  // namespace
}  // namespace strata::image
