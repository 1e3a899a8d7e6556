#include "coordinator/image_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cache/fault_injection_blob_store.h"
#include "cache/memory_blob_store.h"
#include "cache/metadata_store.h"
#include "coordinator/config_apply.h"

namespace strata::coordinator {
namespace {

namespace fs = std::filesystem;

class ImageServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-coord-test-" + std::to_string(getpid()) + "-" +
                                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rootfs/bin");
    fs::create_directories(dir_ / "rootfs/etc");
    std::ofstream(dir_ / "rootfs/bin/hello") << "#!/bin/sh\necho hello\n";
    std::ofstream(dir_ / "rootfs/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    Tar("rootfs.tar", "-C " + (dir_ / "rootfs").string() + " .");
    auto faulty = std::make_unique<cache::FaultInjectionBlobStore>(std::make_unique<cache::MemoryBlobStore>());
    faults_ = faulty.get();
    auto meta = cache::MetadataStore::Open((dir_ / "db").string());
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    store_ = std::make_unique<cache::Store>(std::move(faulty), std::move(*meta));
    service_ = std::make_unique<ImageService>(*store_, clock_, (dir_ / "tmp").string());
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Runs tar in the test directory: `tar <args> -f NAME ...`.
  std::string Tar(const std::string& name, const std::string& args, const std::string& flags = "-c") {
    std::string path = (dir_ / name).string();
    std::string cmd = "tar " + flags + " --numeric-owner -f " + path + " " + args + " 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return path;
  }

  Result<Digest> Import(const std::string& path, const std::string& tag = "",
                        std::vector<std::string> changes = {}) {
    ImportRequest req;
    req.source_path = path;
    req.origin = path;
    req.repo_tag = tag;
    req.changes = std::move(changes);
    return service_->Import(req);
  }

  size_t BlobCount() { return store_->blobs().List()->size(); }
  size_t ImageCount() { return store_->metadata().ListImages()->size(); }

  fs::path dir_;
  FakeClock clock_;
  cache::FaultInjectionBlobStore* faults_ = nullptr;
  std::unique_ptr<cache::Store> store_;
  std::unique_ptr<ImageService> service_;
};

TEST_F(ImageServiceTest, ImportTagsAndInspects) {
  Result<Digest> id = Import((dir_ / "rootfs.tar").string(), "busybox",
                             {"CMD [\"/bin/hello\"]", "ENV A=1", "EXPOSE 80", "WORKDIR /srv"});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(BlobCount(), 3u);  // layer, config, manifest

  auto list = service_->List({});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, *id);
  EXPECT_EQ((*list)[0].repo_tags, std::vector<std::string>{"busybox:latest"});

  auto json = service_->Inspect("busybox");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ((*json)["Id"], id->ToString());
  EXPECT_EQ((*json)["Config"]["Cmd"], nlohmann::ordered_json({"/bin/hello"}));
  EXPECT_EQ((*json)["Config"]["Env"], nlohmann::ordered_json({"A=1"}));
  EXPECT_TRUE((*json)["Config"]["ExposedPorts"].contains("80/tcp"));
  EXPECT_EQ((*json)["Config"]["WorkingDir"], "/srv");
  EXPECT_EQ((*json)["RootFS"]["Layers"].size(), 1u);
  EXPECT_EQ((*json)["Os"], "linux");
  EXPECT_EQ((*json)["Comment"], "Imported from " + (dir_ / "rootfs.tar").string());
  // The same id by prefix and in full.
  EXPECT_TRUE(service_->Inspect(id->Short()).ok());
  EXPECT_TRUE(service_->Inspect(id->ToString()).ok());
}

TEST_F(ImageServiceTest, CompressedInputsGiveTheSameLayer) {
  Tar("rootfs.tar.gz", "-C " + (dir_ / "rootfs").string() + " .", "-cz");
  std::string zst = (dir_ / "rootfs.tar.zst").string();
  ASSERT_EQ(std::system(("zstd -q -f " + (dir_ / "rootfs.tar").string() + " -o " + zst).c_str()), 0);
  auto a = Import((dir_ / "rootfs.tar").string(), "a");
  auto b = Import((dir_ / "rootfs.tar.gz").string(), "b");
  auto c = Import(zst, "c");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto ja = service_->Inspect("a"), jb = service_->Inspect("b"), jc = service_->Inspect("c");
  EXPECT_EQ((*ja)["RootFS"], (*jb)["RootFS"]);
  EXPECT_EQ((*ja)["RootFS"], (*jc)["RootFS"]);
}

TEST_F(ImageServiceTest, TagsShareIdAndRemoveFreesBlobs) {
  auto id = Import((dir_ / "rootfs.tar").string(), "one:1");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(service_->Tag("one:1", "two:2").ok());
  auto list = service_->List({});
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].repo_tags.size(), 2u);

  // By id with two repositories: a conflict unless forced.
  auto conflict = service_->Remove(id->Short(), false);
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.status().message().find("must be forced"), std::string::npos);

  auto first = service_->Remove("one:1", false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_FALSE((*first)[0].deleted);
  EXPECT_EQ((*first)[0].value, "one:1");
  EXPECT_EQ(BlobCount(), 3u);

  auto last = service_->Remove("two:2", false);
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[0].value, "two:2");
  EXPECT_TRUE((*last)[1].deleted);
  EXPECT_EQ((*last)[1].value, id->ToString());
  EXPECT_EQ(BlobCount(), 0u);
  EXPECT_EQ(ImageCount(), 0u);
}

TEST_F(ImageServiceTest, SharedLayerSurvivesRemovalOfOneImage) {
  auto a = Import((dir_ / "rootfs.tar").string(), "a", {"CMD [\"a\"]"});
  auto b = Import((dir_ / "rootfs.tar").string(), "b", {"CMD [\"b\"]"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(BlobCount(), 5u);  // one shared layer, two configs, two manifests
  ASSERT_TRUE(service_->Remove("a", false).ok());
  EXPECT_EQ(BlobCount(), 3u);
  EXPECT_TRUE(service_->Inspect("b").ok());
}

TEST_F(ImageServiceTest, ForcedRemoveByIdUntagsAll) {
  auto id = Import((dir_ / "rootfs.tar").string(), "x");
  ASSERT_TRUE(service_->Tag("x", "y").ok());
  auto lines = service_->Remove(id->ToString(), true);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->size(), 3u);
  EXPECT_EQ(BlobCount(), 0u);
}

TEST_F(ImageServiceTest, UnknownImagesAndReferences) {
  EXPECT_TRUE(service_->Inspect("nothere").status().IsNotFound());
  EXPECT_EQ(service_->Inspect("nothere").status().message(), "No such image: nothere:latest");
  EXPECT_TRUE(service_->Remove("nothere", false).status().IsNotFound());
  auto id = Import((dir_ / "rootfs.tar").string(), "x");
  Status bad = service_->Tag("x", "UPPER:case");
  EXPECT_TRUE(bad.IsInvalidArgument());
  EXPECT_NE(bad.message().find("must be lowercase"), std::string::npos) << bad.message();
  EXPECT_TRUE(service_->Tag("x", "a:b:c").IsInvalidArgument());
  EXPECT_TRUE(service_->Tag("nothere", "y").IsNotFound());
}

TEST_F(ImageServiceTest, Filters) {
  auto a = Import((dir_ / "rootfs.tar").string(), "app/web:1", {"LABEL team=web"});
  clock_.Advance(1000000000);
  auto b = Import((dir_ / "rootfs.tar").string(), "", {"LABEL team=db"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(service_->List({"dangling=true"})->size(), 1u);
  EXPECT_EQ(service_->List({"dangling=false"})->size(), 1u);
  EXPECT_EQ(service_->List({"reference=app/*"})->size(), 1u);
  EXPECT_EQ(service_->List({"reference=web"})->size(), 0u);
  // Several reference= patterns are alternatives, as in moby.
  ASSERT_TRUE(service_->Tag("app/web:1", "other:2").ok());
  EXPECT_EQ(service_->List({"reference=nothing", "reference=app/*"})->size(), 1u);
  EXPECT_EQ(service_->List({"reference=app/*", "reference=other"})->at(0).repo_tags,
            (std::vector<std::string>{"app/web:1", "other:2"}));
  ASSERT_TRUE(service_->Remove("other:2", false).ok());
  EXPECT_EQ(service_->List({"label=team=db"})->at(0).id, *b);
  EXPECT_EQ(service_->List({"since=app/web:1"})->size(), 1u);
  EXPECT_FALSE(service_->List({"color=red"}).ok());
}

// image ls SIZE and inspect .Size are the unpacked size (the layer's tar),
// as Docker shows them, not the compressed blobs.
TEST_F(ImageServiceTest, SizeIsTheUncompressedSize) {
  // 1 MB of zeros compresses to a few kB.
  std::ofstream(dir_ / "rootfs/zeros") << std::string(1 << 20, '\0');
  std::string tar = Tar("big.tar", "-C " + (dir_ / "rootfs").string() + " .");
  ASSERT_TRUE(Import(tar, "big").ok());
  auto list = service_->List({});
  ASSERT_TRUE(list.ok());
  const uint64_t tar_size = fs::file_size(tar);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_GE((*list)[0].size, uint64_t{1} << 20);
  EXPECT_LE((*list)[0].size, tar_size);
  auto json = service_->Inspect("big");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["Size"], (*list)[0].size);
  auto record = store_->metadata().ListImages();
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)[0].layers[0].uncompressed_size, (*list)[0].size);
}

// A record written before uncompressed sizes were kept (store format
// version 1 decodes with 0) gets its size computed from the blob.
TEST_F(ImageServiceTest, OldRecordsWithoutUncompressedSizeAreComputed) {
  ASSERT_TRUE(Import((dir_ / "rootfs.tar").string(), "new").ok());
  auto images = store_->metadata().ListImages();
  ASSERT_TRUE(images.ok());
  cache::ImageRecord old = (*images)[0];
  const uint64_t want = old.layers[0].uncompressed_size;
  ASSERT_GT(want, 0u);
  old.layers[0].uncompressed_size = 0;
  ASSERT_TRUE(store_->PutImage(old, {"docker.io/library/new:latest"}).ok());
  EXPECT_EQ((*store_->metadata().ListImages())[0].layers[0].uncompressed_size, 0u);
  auto list = service_->List({});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[0].size, want);
  auto resolved = service_->Resolve("new");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->record.layers[0].uncompressed_size, want);
}

// Docker sorts an image's references by their full name
// (docker.io/example/bb < docker.io/library/busybox), not the familiar one.
TEST_F(ImageServiceTest, RepoTagsInDockersOrder) {
  ASSERT_TRUE(Import((dir_ / "rootfs.tar").string(), "busybox:1.0").ok());
  ASSERT_TRUE(service_->Tag("busybox:1.0", "example/bb:2.0").ok());
  ASSERT_TRUE(service_->Tag("busybox:1.0", "localhost:5000/bb:3").ok());
  std::vector<std::string> want = {"example/bb:2.0", "busybox:1.0", "localhost:5000/bb:3"};
  auto json = service_->Inspect("busybox:1.0");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)["RepoTags"], nlohmann::ordered_json(want));
  auto list = service_->List({});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[0].repo_tags, want);
}

TEST_F(ImageServiceTest, UntagOnlyKeepsTheImageOfItsLastTag) {
  auto id = Import((dir_ / "rootfs.tar").string(), "only:1");
  ASSERT_TRUE(id.ok());
  auto lines = service_->Remove("only:1", true, /*untag_only=*/true);
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_FALSE((*lines)[0].deleted);
  EXPECT_EQ(ImageCount(), 1u);
  EXPECT_TRUE(service_->Inspect(id->ToString()).ok());
  EXPECT_TRUE(service_->List({"dangling=true"})->at(0).dangling);
}

// Each bad input fails with a clear error and leaves the store as it was.
class BadImportTest : public ImageServiceTest {
 protected:
  void ExpectRefused(const std::string& path, const std::string& want, const std::string& tag = "t") {
    size_t blobs = BlobCount(), images = ImageCount();
    Result<Digest> r = Import(path, tag);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
    EXPECT_EQ(BlobCount(), blobs);
    EXPECT_EQ(ImageCount(), images);
  }
};

TEST_F(BadImportTest, NotATar) {
  std::ofstream(dir_ / "notes.txt") << "just some text, not an archive\n";
  ExpectRefused((dir_ / "notes.txt").string(), "not a tar");
}

TEST_F(BadImportTest, TruncatedTar) {
  std::string big = (dir_ / "rootfs/bin/big").string();
  std::ofstream(big) << std::string(100000, 'x');
  std::string tar = Tar("full.tar", "-C " + (dir_ / "rootfs").string() + " .");
  fs::resize_file(tar, 30000);
  ExpectRefused(tar, "corrupt tar");
}

TEST_F(BadImportTest, CorruptGzip) {
  std::string gz = Tar("r.tar.gz", "-C " + (dir_ / "rootfs").string() + " .", "-cz");
  fs::resize_file(gz, fs::file_size(gz) / 2);
  size_t blobs = BlobCount();
  EXPECT_FALSE(Import(gz, "t").ok());
  EXPECT_EQ(BlobCount(), blobs);
}

TEST_F(BadImportTest, DotDotName) {
  fs::create_directories(dir_ / "a");
  std::ofstream(dir_ / "evil") << "x";
  std::string tar = Tar("dotdot.tar", "-C " + (dir_ / "a").string() + " ../evil", "-c -P");
  ExpectRefused(tar, "'..'");
}

TEST_F(BadImportTest, AbsoluteName) {
  std::ofstream(dir_ / "abs") << "x";
  std::string tar = Tar("abs.tar", (dir_ / "abs").string(), "-c -P");
  ExpectRefused(tar, "absolute");
}

TEST_F(BadImportTest, SymlinkEscape) {
  // link -> /tmp, then link/pwned: writing through the link would escape.
  fs::create_directories(dir_ / "s1");
  fs::create_symlink("/tmp", dir_ / "s1/link");
  fs::create_directories(dir_ / "s2/link");
  std::ofstream(dir_ / "s2/link/pwned") << "x";
  std::string tar = Tar("sym.tar", "-C " + (dir_ / "s1").string() + " link");
  ASSERT_EQ(std::system(("tar -r --numeric-owner -f " + tar + " -C " + (dir_ / "s2").string() +
                         " link/pwned").c_str()), 0);
  ExpectRefused(tar, "through the symlink");
}

TEST_F(BadImportTest, EmptyFile) {
  std::ofstream(dir_ / "empty.tar");
  size_t blobs = BlobCount();
  EXPECT_FALSE(Import((dir_ / "empty.tar").string(), "t").ok());
  EXPECT_EQ(BlobCount(), blobs);
}

TEST_F(BadImportTest, MissingFile) {
  EXPECT_FALSE(Import((dir_ / "nope.tar").string()).ok());
}

TEST_F(BadImportTest, InvalidReference) {
  ExpectRefused((dir_ / "rootfs.tar").string(), "invalid reference format", "UPPER:case");
  ExpectRefused((dir_ / "rootfs.tar").string(), "invalid reference format", "a:b:c");
}

TEST_F(BadImportTest, InvalidChange) {
  size_t blobs = BlobCount();
  auto r = Import((dir_ / "rootfs.tar").string(), "t", {"RUN echo hi"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("RUN is not supported"), std::string::npos) << r.status().message();
  EXPECT_EQ(BlobCount(), blobs);
}

TEST_F(BadImportTest, FailingBlobStoreLeavesStoreAsBefore) {
  ASSERT_TRUE(Import((dir_ / "rootfs.tar").string(), "keep").ok());
  std::ofstream(dir_ / "rootfs/extra") << "new content";
  std::string tar = Tar("other.tar", "-C " + (dir_ / "rootfs").string() + " .");
  for (auto [op, n] : std::vector<std::pair<cache::BlobFault, int>>{
           {cache::BlobFault::kCreate, 1}, {cache::BlobFault::kWrite, 1},
           {cache::BlobFault::kCommit, 1}, {cache::BlobFault::kCommit, 2},
           {cache::BlobFault::kCommit, 3}}) {
    faults_->Clear();
    faults_->FailNth(op, n);
    size_t blobs = BlobCount(), images = ImageCount();
    auto r = Import(tar, "other");
    EXPECT_FALSE(r.ok()) << "fault " << static_cast<int>(op) << " #" << n;
    EXPECT_EQ(BlobCount(), blobs);
    EXPECT_EQ(ImageCount(), images);
    EXPECT_TRUE(service_->Inspect("keep").ok());
    EXPECT_TRUE(service_->Inspect("other").status().IsNotFound());
  }
  faults_->Clear();
  EXPECT_TRUE(store_->Fsck().ok());
}

}  // namespace
}  // namespace strata::coordinator
