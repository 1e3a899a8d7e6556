#include "image/archive_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "image/archive_test_util.h"
#include "image/index.h"
#include "image/layer_reader.h"
#include "image/media_types.h"

namespace strata::image {
namespace {

using ::testing::HasSubstr;
using testing::MakeImage;
using testing::MemoryBlobStore;

std::string Write(const std::vector<ArchiveImage>& images, MemoryBlobStore& store) {
  StringSink out;
  Status s = WriteImageArchive(images, store, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(out.closed());
  return out.data();
}

std::map<std::string, LayerEntry> Entries(const std::string& tar, std::vector<std::string>* order) {
  StringSource in(tar);
  Result<std::vector<LayerEntry>> entries = ReadLayerEntries(&in);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  std::map<std::string, LayerEntry> by_path;
  for (LayerEntry& e : *entries) {
    if (order) order->push_back(e.path);
    by_path[e.path] = e;
  }
  return by_path;
}

TEST(ArchiveWriterTest, WritesOciLayoutAndDockerManifestSharingBlobs) {
  MemoryBlobStore store;
  ArchiveImage image =
      MakeImage(store, {{{"bin/hello", "hi"}}}, {"docker.io/library/busybox:latest"});
  std::vector<std::string> order;
  auto entries = Entries(Write({image}, store), &order);

  std::vector<std::string> blobs = {image.config.hex(), image.layers[0].digest.hex(),
                                    image.manifest.digest.hex()};
  std::sort(blobs.begin(), blobs.end());
  std::vector<std::string> expected = {"blobs", "blobs/sha256"};
  for (const std::string& hex : blobs) expected.push_back("blobs/sha256/" + hex);
  expected.insert(expected.end(), {"index.json", "manifest.json", "oci-layout"});
  EXPECT_EQ(order, expected);
  for (const auto& [path, e] : entries) {
    EXPECT_EQ(e.uid, 0u) << path;
    EXPECT_EQ(e.gid, 0u) << path;
    EXPECT_EQ(e.mtime, 0) << path;
  }
  EXPECT_EQ(entries["blobs"].type, EntryType::kDirectory);
  EXPECT_EQ(*entries["blobs/sha256/" + image.layers[0].digest.hex()].content,
            store.Get(image.layers[0].digest));
  EXPECT_EQ(*entries["oci-layout"].content, R"({"imageLayoutVersion":"1.0.0"})");

  Result<Index> index = Index::FromJson(*entries["index.json"].content);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->media_type, media_type::kOciIndex);
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].digest, image.manifest.digest);
  EXPECT_EQ(index->manifests[0].size, image.manifest.size);
  EXPECT_EQ(index->manifests[0].annotations.at("io.containerd.image.name"),
            "docker.io/library/busybox:latest");
  EXPECT_EQ(index->manifests[0].annotations.at("org.opencontainers.image.ref.name"), "latest");

  auto docker = nlohmann::json::parse(*entries["manifest.json"].content);
  ASSERT_EQ(docker.size(), 1u);
  EXPECT_EQ(docker[0]["Config"], "blobs/sha256/" + image.config.hex());
  EXPECT_EQ(docker[0]["RepoTags"], nlohmann::json::array({"busybox:latest"}));
  EXPECT_EQ(docker[0]["Layers"],
            nlohmann::json::array({"blobs/sha256/" + image.layers[0].digest.hex()}));
}

TEST(ArchiveWriterTest, SameInputGivesSameBytes) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"a", "1"}}, {{"b", "2"}}}, {"example.com/a:1"});
  ArchiveImage b = MakeImage(store, {{{"c", "3"}}}, {"b:2", "b:3"}, Compression::kNone, "x");
  EXPECT_EQ(Write({a, b}, store), Write({a, b}, store));
}

TEST(ArchiveWriterTest, SharedLayerIsStoredOnce) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"base", "same"}}}, {"a:1"}, Compression::kGzip, "one");
  ArchiveImage b = MakeImage(store, {{{"base", "same"}}}, {"b:1"}, Compression::kGzip, "two");
  ASSERT_EQ(a.layers[0].digest, b.layers[0].digest);
  ASSERT_NE(a.config, b.config);
  auto entries = Entries(Write({a, b}, store), nullptr);
  int blob_files = 0;
  for (const auto& [path, e] : entries) {
    if (path.rfind("blobs/sha256/", 0) == 0) ++blob_files;
  }
  EXPECT_EQ(blob_files, 5);  // 2 manifests, 2 configs, 1 layer
  auto docker = nlohmann::json::parse(*entries["manifest.json"].content);
  ASSERT_EQ(docker.size(), 2u);
  EXPECT_EQ(docker[0]["Layers"], docker[1]["Layers"]);
}

TEST(ArchiveWriterTest, OneIndexEntryPerTagAndNoneNamedForUntagged) {
  MemoryBlobStore store;
  ArchiveImage tagged =
      MakeImage(store, {{{"a", "1"}}}, {"docker.io/library/busybox:1", "localhost:5000/x/y:dev"});
  ArchiveImage untagged = MakeImage(store, {{{"b", "2"}}}, {});
  auto entries = Entries(Write({tagged, untagged}, store), nullptr);
  Result<Index> index = Index::FromJson(*entries["index.json"].content);
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index->manifests.size(), 3u);
  EXPECT_EQ(index->manifests[0].annotations.at("org.opencontainers.image.ref.name"), "1");
  EXPECT_EQ(index->manifests[1].annotations.at("io.containerd.image.name"),
            "localhost:5000/x/y:dev");
  EXPECT_EQ(index->manifests[2].digest, untagged.manifest.digest);
  EXPECT_TRUE(index->manifests[2].annotations.empty());
  auto docker = nlohmann::json::parse(*entries["manifest.json"].content);
  EXPECT_EQ(docker[0]["RepoTags"], nlohmann::json::array({"busybox:1", "localhost:5000/x/y:dev"}));
  EXPECT_TRUE(docker[1]["RepoTags"].is_null());
}

Status WriteError(const std::vector<ArchiveImage>& images, MemoryBlobStore& store) {
  StringSink out;
  return WriteImageArchive(images, store, &out);
}

TEST(ArchiveWriterTest, RejectsBadInput) {
  MemoryBlobStore store;
  ArchiveImage image = MakeImage(store, {{{"a", "1"}}}, {"a:1"});

  EXPECT_EQ(WriteError({}, store).code(), StatusCode::kInvalidArgument);

  ArchiveImage bad_tag = image;
  bad_tag.tags = {"Upper/Case:1"};
  Status s = WriteError({bad_tag}, store);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Upper/Case:1"));

  ArchiveImage digest_tag = image;
  digest_tag.tags = {"busybox@" + image.manifest.digest.ToString()};
  s = WriteError({digest_tag}, store);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("name:tag"));

  ArchiveImage index = image;
  index.manifest.media_type = media_type::kOciIndex;
  s = WriteError({index}, store);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("not an image manifest"));
}

TEST(ArchiveWriterTest, MissingOrDamagedBlobFailsNamingIt) {
  MemoryBlobStore store;
  ArchiveImage image = MakeImage(store, {{{"a", "1"}}}, {"a:1"});
  ArchiveImage missing = image;
  Descriptor ghost = image.layers[0];
  ghost.digest = Digest::Sha256Of("ghost");
  missing.layers.push_back(ghost);
  Status s = WriteError({missing}, store);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr(ghost.digest.ToString()));

  std::string bytes = store.Get(image.layers[0].digest);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  store.Corrupt(image.layers[0].digest, flipped);
  s = WriteError({image}, store);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("hashes to"));
  EXPECT_THAT(s.message(), HasSubstr(image.layers[0].digest.ToString()));
}

TEST(ArchiveWriterTest, DescriptorSizeThatDisagreesWithStoreIsCorruption) {
  MemoryBlobStore store;
  ArchiveImage image = MakeImage(store, {{{"a", "1"}}}, {"a:1"});
  image.layers[0].size += 1;
  StringSink out;
  Status s = WriteImageArchive({image}, store, &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("descriptor says " + std::to_string(image.layers[0].size)));
}

// Reports one size for `target` and yields another, as a store changed
// under us would.
class LyingStore : public MemoryBlobStore {
 public:
  Result<uint64_t> Size(const Digest& digest) override {
    ASSIGN_OR_RETURN(uint64_t size, MemoryBlobStore::Size(digest));
    return digest == target ? size + delta : size;
  }
  Digest target;
  int delta = 0;
};

TEST(ArchiveWriterTest, BlobOfWrongSizeIsCorruption) {
  LyingStore store;
  ArchiveImage image = MakeImage(store, {{{"a", "1"}}}, {"a:1"});
  store.target = image.config;  // no descriptor size to catch it early
  for (int delta : {-1, 1}) {
    store.delta = delta;
    StringSink out;
    Status s = WriteImageArchive({image}, store, &out);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << delta;
    EXPECT_THAT(s.message(), HasSubstr("recorded size"));
    EXPECT_THAT(s.message(), HasSubstr(image.config.ToString()));
  }
}

class FailingSink : public ByteSink {
 public:
  Status Write(const void*, size_t) override { return Status::IOError("disk full"); }
  Status Close() override { return Status::OK(); }
};

TEST(ArchiveWriterTest, SinkErrorIsReturned) {
  MemoryBlobStore store;
  ArchiveImage image = MakeImage(store, {{{"a", "1"}}}, {"a:1"});
  FailingSink out;
  Status s = WriteImageArchive({image}, store, &out);
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_THAT(s.message(), HasSubstr("disk full"));
}

}  // namespace
}  // namespace strata::image
