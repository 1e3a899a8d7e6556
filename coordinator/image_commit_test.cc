// ImageService::Resolve and ImageService::Commit (the image side of
// `strata container run/commit`), over an in-memory blob store.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cache/memory_blob_store.h"
#include "cache/metadata_store.h"
#include "coordinator/image_service.h"
#include "coordinator/layer_size.h"

namespace strata::coordinator {
namespace {

namespace fs = std::filesystem;

class ImageCommitTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("strata-commit-test-" + std::to_string(getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rootfs/bin");
    std::ofstream(dir_ / "rootfs/bin/hello") << "hello\n";
    fs::create_directories(dir_ / "changes");
    std::ofstream(dir_ / "changes/made.txt") << "made\n";
    Tar("rootfs.tar", "rootfs");
    Tar("changes.tar", "changes");
    auto meta = cache::MetadataStore::Open((dir_ / "db").string());
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    store_ = std::make_unique<cache::Store>(std::make_unique<cache::MemoryBlobStore>(),
                                            std::move(*meta));
    service_ = std::make_unique<ImageService>(*store_, clock_, (dir_ / "tmp").string());
    ImportRequest req;
    req.source_path = (dir_ / "rootfs.tar").string();
    req.repo_tag = "base:1";
    req.changes = {"ENTRYPOINT [\"/bin/echo\"]", "CMD [\"Hello, Docker!\"]"};
    Result<Digest> id = service_->Import(req);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    base_ = *id;
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }
  // A tar of the test dir's `sub` with its contents at the root.
  void Tar(const std::string& name, const std::string& sub) {
    std::string cmd = "tar -c --numeric-owner -f " + (dir_ / name).string() + " -C " +
                      (dir_ / sub).string() + " . 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  image::ImageConfig ConfigOf(const Digest& id) {
    Result<ResolvedImageData> r = service_->Resolve(id.ToString());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Result<image::ImageConfig> c = image::ImageConfig::FromJson(r.ok() ? r->config_json : "");
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : image::ImageConfig{};
  }

  fs::path dir_;
  FakeClock clock_;
  std::unique_ptr<cache::Store> store_;
  std::unique_ptr<ImageService> service_;
  Digest base_;
};

TEST_F(ImageCommitTest, ResolveGivesConfigLayersAndTags) {
  Result<ResolvedImageData> r = service_->Resolve("base:1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->record.id, base_);
  ASSERT_EQ(r->record.layers.size(), 1u);
  EXPECT_EQ(r->repo_tags, std::vector<std::string>{"base:1"});
  Result<image::ImageConfig> config = image::ImageConfig::FromJson(r->config_json);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->config.entrypoint, std::vector<std::string>{"/bin/echo"});
  EXPECT_EQ(config->rootfs.diff_ids[0], r->record.layers[0].diff_id);

  Result<ResolvedImageData> missing = service_->Resolve("nosuch");
  ASSERT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("No such image"), std::string::npos);
}

TEST_F(ImageCommitTest, CommitAddsOneLayerWithTheContainersConfig) {
  clock_.Advance(1000000000LL);
  CommitRequest req;
  req.image = base_.ToString();
  req.layer_path = (dir_ / "changes.tar").string();
  req.author = "tester";
  req.message = "add made.txt";
  req.repo_tag = "made:1";
  req.created_by = "/bin/echo Hi";
  req.container_config_json =
      R"({"Env":["A=1"],"Entrypoint":["/bin/echo"],"Cmd":["Hi"],"WorkingDir":"/w","User":"nobody"})";
  req.changes = {"LABEL k=v"};
  Result<Digest> id = service_->Commit(req);
  ASSERT_TRUE(id.ok()) << id.status().ToString();

  Result<ResolvedImageData> made = service_->Resolve("made:1");
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->record.id, *id);
  Result<ResolvedImageData> base = service_->Resolve("base:1");
  ASSERT_EQ(made->record.layers.size(), 2u);
  EXPECT_EQ(made->record.layers[0], base->record.layers[0]);

  image::ImageConfig config = ConfigOf(*id);
  EXPECT_EQ(config.author, "tester");
  EXPECT_EQ(config.config.cmd, std::vector<std::string>{"Hi"});
  EXPECT_EQ(config.config.env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(config.config.working_dir, "/w");
  EXPECT_EQ(config.config.user, "nobody");
  EXPECT_EQ(config.config.labels.at("k"), "v");
  ASSERT_EQ(config.rootfs.diff_ids.size(), 2u);
  EXPECT_EQ(config.rootfs.diff_ids[1], made->record.layers[1].diff_id);
  ASSERT_EQ(config.history.size(), 2u);
  EXPECT_EQ(config.history[1].created_by, "/bin/echo Hi");
  EXPECT_EQ(config.history[1].comment, "add made.txt");
  EXPECT_FALSE(config.history[1].empty_layer);
  // The stored record knows how large the new layer unpacks (image ls SIZE).
  auto stored = store_->metadata().GetImage(*id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  cache::LayerRecord layer = (*stored)->layers[1];
  EXPECT_GT(layer.uncompressed_size, 0u);
  const uint64_t recorded = layer.uncompressed_size;
  layer.uncompressed_size = 0;  // as a version-1 record: counted from the blob
  Result<uint64_t> counted = UncompressedLayerSize(store_->blobs(), layer);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ(*counted, recorded);
}

TEST_F(ImageCommitTest, AnEntrypointChangeClearsCmdAsDockerDoes) {
  CommitRequest req;
  req.image = base_.ToString();
  req.layer_path = (dir_ / "changes.tar").string();
  req.changes = {"ENTRYPOINT [\"/bin/cat\"]"};
  Result<Digest> id = service_->Commit(req);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  image::ImageConfig config = ConfigOf(*id);
  EXPECT_EQ(config.config.entrypoint, std::vector<std::string>{"/bin/cat"});
  EXPECT_FALSE(config.config.cmd.has_value());
}

TEST_F(ImageCommitTest, NoChangesMeansNoNewLayer) {
  CommitRequest req;
  req.image = base_.ToString();
  Result<Digest> id = service_->Commit(req);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  image::ImageConfig config = ConfigOf(*id);
  EXPECT_EQ(config.rootfs.diff_ids.size(), 1u);
  ASSERT_EQ(config.history.size(), 2u);
  EXPECT_TRUE(config.history[1].empty_layer);
}

TEST_F(ImageCommitTest, BadRequestsLeaveTheStoreAsItWas) {
  size_t images = store_->metadata().ListImages()->size();
  CommitRequest req;
  req.image = "nosuch";
  req.layer_path = (dir_ / "changes.tar").string();
  EXPECT_TRUE(service_->Commit(req).status().IsNotFound());
  req.image = base_.ToString();
  req.repo_tag = "UPPER:case";
  EXPECT_FALSE(service_->Commit(req).ok());
  req.repo_tag = "";
  req.changes = {"RUN true"};
  EXPECT_TRUE(service_->Commit(req).status().IsInvalidArgument());
  req.changes = {};
  req.container_config_json = "{not json";
  EXPECT_FALSE(service_->Commit(req).ok());
  req.container_config_json = "";
  req.layer_path = (dir_ / "missing.tar").string();
  EXPECT_FALSE(service_->Commit(req).ok());
  EXPECT_EQ(store_->metadata().ListImages()->size(), images);
}

}  // namespace
}  // namespace strata::coordinator
