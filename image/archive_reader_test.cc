#include "image/archive_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "image/archive_test_util.h"
#include "image/byte_source.h"
#include "image/compression.h"
#include "image/image_config.h"
#include "image/index.h"
#include "image/layer.h"
#include "image/layer_reader.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

using ::testing::HasSubstr;
using testing::MakeImage;
using testing::MakeTar;
using testing::MakeTarEntries;
using testing::MemoryBlobStore;

using Files = std::vector<std::pair<std::string, std::string>>;

std::string Write(const std::vector<ArchiveImage>& images, MemoryBlobStore& store) {
  StringSink out;
  Status s = WriteImageArchive(images, store, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out.data();
}

Result<std::vector<LoadedImage>> Read(const std::string& archive, MemoryBlobStore& sink,
                                      const ArchiveReadOptions& options = {}) {
  StringSource in(archive);
  return ReadImageArchive(&in, sink, options);
}

// The regular files of a tar, in order.
Files Unpack(const std::string& tar) {
  StringSource in(tar);
  Result<std::vector<LayerEntry>> entries = ReadLayerEntries(&in);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  Files files;
  for (const LayerEntry& e : *entries) {
    if (e.type == EntryType::kRegular) files.emplace_back(e.path, *e.content);
  }
  return files;
}

std::string Gzip(const std::string& data) {
  StringSink out;
  std::unique_ptr<ByteSink> gz = NewCompressingSink(Compression::kGzip, &out);
  EXPECT_TRUE(gz->Write(data).ok());
  EXPECT_TRUE(gz->Close().ok());
  return out.data();
}

std::string LayerTar(const std::map<std::string, std::string>& files, Compression c,
                     Digest* diff_id) {
  std::vector<LayerEntry> entries;
  for (const auto& [path, content] : files) {
    LayerEntry e;
    e.path = path;
    e.content = content;
    entries.push_back(e);
  }
  StringSink out;
  Result<LayerResult> r = WriteLayer(LayerSource::FromEntries(entries), c, &out);
  EXPECT_TRUE(r.ok());
  *diff_id = r->diff_id;
  return out.data();
}

void ExpectError(const Result<std::vector<LoadedImage>>& r, StatusCode code,
                 const std::string& text) {
  ASSERT_FALSE(r.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr(text));
}

TEST(ArchiveReaderTest, RoundTripKeepsDigestsTagsAndBlobs) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"bin/a", "1"}}, {{"etc/b", "2"}}},
                             {"docker.io/library/busybox:latest", "localhost:5000/a/b:v1"});
  ArchiveImage b = MakeImage(store, {{{"c", "3"}}}, {}, Compression::kZstd);
  std::string archive = Write({a, b}, store);

  MemoryBlobStore loaded;
  Result<std::vector<LoadedImage>> images = Read(archive, loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 2u);
  const LoadedImage& la = (*images)[0];
  EXPECT_EQ(la.manifest.digest, a.manifest.digest);
  EXPECT_EQ(la.manifest.media_type, media_type::kOciManifest);
  EXPECT_EQ(la.manifest.size, a.manifest.size);
  EXPECT_EQ(la.manifest_json, store.Get(a.manifest.digest));
  EXPECT_EQ(la.config, a.config);
  EXPECT_EQ(la.tags, (std::vector<std::string>{"docker.io/library/busybox:latest",
                                               "localhost:5000/a/b:v1"}));
  ASSERT_EQ(la.layers.size(), 2u);
  Result<ImageConfig> config = ImageConfig::FromJson(store.Get(a.config));
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(la.layers[i].digest, a.layers[i].digest);
    EXPECT_EQ(la.layers[i].size, a.layers[i].size);
    EXPECT_EQ(la.layers[i].media_type, media_type::kOciLayerGzip);
    EXPECT_EQ(la.layers[i].diff_id, config->rootfs.diff_ids[i]);
  }
  const LoadedImage& lb = (*images)[1];
  EXPECT_EQ(lb.manifest.digest, b.manifest.digest);
  EXPECT_TRUE(lb.tags.empty());
  EXPECT_EQ(lb.layers[0].media_type, media_type::kOciLayerZstd);
  // Every blob reached the sink with its bytes.
  for (const ArchiveImage* image : {&a, &b}) {
    EXPECT_EQ(loaded.Get(image->manifest.digest), store.Get(image->manifest.digest));
    EXPECT_EQ(loaded.Get(image->config), store.Get(image->config));
    for (const Descriptor& l : image->layers) EXPECT_EQ(loaded.Get(l.digest), store.Get(l.digest));
  }
  EXPECT_EQ(loaded.size(), store.size());
}

// `image save` / `image load` of an image whose layer has non-ASCII names:
// the archive is the same whatever the locale, and the loaded layer holds
// the names unchanged.
TEST(ArchiveReaderTest, SaveLoadKeepsNonAsciiNamesInLayers) {
  std::map<std::string, std::string> files;
  for (const std::string& name : testing::OddNames()) files[name] = name;
  std::map<std::string, std::string> archives;
  for (const char* locale : {"C", "C.UTF-8"}) {
    SCOPED_TRACE(locale);
    testing::ScopedProcessLocale scoped(locale);
    ASSERT_TRUE(scoped.ok());
    MemoryBlobStore store;
    ArchiveImage image = MakeImage(store, {files}, {"example/names:1"});
    archives[locale] = Write({image}, store);
    MemoryBlobStore loaded;
    Result<std::vector<LoadedImage>> images = Read(archives[locale], loaded);
    ASSERT_TRUE(images.ok()) << images.status().ToString();
    ASSERT_EQ(images->size(), 1u);
    ASSERT_EQ((*images)[0].layers.size(), 1u);
    StringSource blob(loaded.Get((*images)[0].layers[0].digest));
    std::unique_ptr<ByteSource> plain = NewDecompressingSource(&blob);
    std::string tar;
    char buf[65536];
    while (size_t n = plain->Read(buf, sizeof buf).value_or(0)) tar.append(buf, n);
    Files got = Unpack(tar);
    EXPECT_EQ(got, Files(files.begin(), files.end()));
  }
  EXPECT_EQ(archives["C"], archives["C.UTF-8"]);
}

TEST(ArchiveReaderTest, ReadsGzipCompressedArchive) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"x", "y"}}}, {"x:1"});
  MemoryBlobStore loaded;
  auto images = Read(Gzip(Write({a}, store)), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].manifest.digest, a.manifest.digest);
  EXPECT_EQ((*images)[0].tags, std::vector<std::string>{"docker.io/library/x:1"});
}

TEST(ArchiveReaderTest, SharedLayerIsStoredOnceAndUsedByBoth) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"base", "same"}}}, {"a:1"}, Compression::kGzip, "one");
  ArchiveImage b = MakeImage(store, {{{"base", "same"}}}, {"b:1"}, Compression::kGzip, "two");
  MemoryBlobStore loaded;
  auto images = Read(Write({a, b}, store), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 2u);
  EXPECT_EQ((*images)[0].layers[0].digest, (*images)[1].layers[0].digest);
  EXPECT_EQ(loaded.puts(), 5);  // 2 manifests, 2 configs, 1 layer
}

TEST(ArchiveReaderTest, EntriesInAnyOrder) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"x", "y"}}}, {"x:1"});
  Files files = Unpack(Write({a}, store));
  std::reverse(files.begin(), files.end());  // metadata first, blobs last
  MemoryBlobStore loaded;
  auto images = Read(MakeTar(files), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  EXPECT_EQ((*images)[0].manifest.digest, a.manifest.digest);
}

// A plain OCI layout tar, as skopeo copy oci-archive: writes it.
std::string OciArchive(MemoryBlobStore& store, const std::vector<Digest>& blobs,
                       const std::string& index_json) {
  Files files = {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"}, {"index.json", index_json}};
  for (const Digest& d : blobs) files.emplace_back("blobs/sha256/" + d.hex(), store.Get(d));
  return MakeTar(files);
}

std::vector<Digest> BlobsOf(const ArchiveImage& image) {
  std::vector<Digest> out = {image.manifest.digest, image.config};
  for (const Descriptor& l : image.layers) out.push_back(l.digest);
  return out;
}

TEST(ArchiveReaderTest, PlainOciArchiveTakesTagsFromAnnotations) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"x", "y"}}}, {});
  Index index;
  index.media_type = media_type::kOciIndex;
  for (const char* ref : {"latest", "example.com/foo:1"}) {
    Descriptor d = a.manifest;
    d.annotations["org.opencontainers.image.ref.name"] = ref;
    index.manifests.push_back(d);
  }
  MemoryBlobStore loaded;
  auto images = Read(OciArchive(store, BlobsOf(a), index.ToJson()), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);  // both entries name the same manifest
  // A bare "latest" names no repository, so it gives no tag.
  EXPECT_EQ((*images)[0].tags, std::vector<std::string>{"example.com/foo:1"});
}

// An index with an arm64 image, an amd64 image and an attestation.
struct MultiPlatform {
  ArchiveImage arm, amd;
  Digest index;
  std::vector<Digest> blobs;
};

MultiPlatform MakeMultiPlatform(MemoryBlobStore& store, bool with_amd64) {
  MultiPlatform m;
  m.arm = MakeImage(store, {{{"arm", "1"}}}, {}, Compression::kGzip, "arm");
  m.amd = MakeImage(store, {{{"amd", "2"}}}, {}, Compression::kGzip, "amd");
  Index nested;
  nested.media_type = media_type::kOciIndex;
  Descriptor arm = m.arm.manifest;
  arm.platform = Platform{"arm64", "linux", "", {}, "v8"};
  nested.manifests.push_back(arm);
  if (with_amd64) {
    Descriptor amd = m.amd.manifest;
    amd.platform = Platform{"amd64", "linux", "", {}, ""};
    nested.manifests.push_back(amd);
  }
  Descriptor attestation = m.amd.manifest;
  attestation.platform = Platform{"unknown", "unknown", "", {}, ""};
  attestation.annotations["vnd.docker.reference.type"] = "attestation-manifest";
  nested.manifests.push_back(attestation);
  m.index = store.Put(nested.ToJson());
  m.blobs = BlobsOf(m.arm);
  for (const Digest& d : BlobsOf(m.amd)) m.blobs.push_back(d);
  m.blobs.push_back(m.index);
  return m;
}

std::string TopIndex(MemoryBlobStore& store, const Digest& nested) {
  Index top;
  top.media_type = media_type::kOciIndex;
  Descriptor d;
  d.media_type = media_type::kOciIndex;
  d.digest = nested;
  d.size = static_cast<int64_t>(store.Get(nested).size());
  d.annotations["io.containerd.image.name"] = "example.com/multi:1";
  top.manifests.push_back(d);
  return top.ToJson();
}

TEST(ArchiveReaderTest, NestedIndexPicksWantedPlatform) {
  MemoryBlobStore store;
  MultiPlatform m = MakeMultiPlatform(store, /*with_amd64=*/true);
  std::string archive = OciArchive(store, m.blobs, TopIndex(store, m.index));
  MemoryBlobStore loaded;
  auto images = Read(archive, loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].manifest.digest, m.amd.manifest.digest);
  EXPECT_EQ((*images)[0].tags, std::vector<std::string>{"example.com/multi:1"});

  ArchiveReadOptions arm64;
  arm64.architecture = "arm64";
  images = Read(archive, loaded, arm64);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  EXPECT_EQ((*images)[0].manifest.digest, m.arm.manifest.digest);

  ArchiveReadOptions s390x;
  s390x.architecture = "s390x";
  ExpectError(Read(archive, loaded, s390x), StatusCode::kInvalidArgument,
              "no linux/s390x manifest (it has: linux/arm64/v8, linux/amd64)");
}

TEST(ArchiveReaderTest, NestedIndexWithOneImageLoadsItWhateverThePlatform) {
  MemoryBlobStore store;
  MultiPlatform m = MakeMultiPlatform(store, /*with_amd64=*/false);
  MemoryBlobStore loaded;
  auto images = Read(OciArchive(store, m.blobs, TopIndex(store, m.index)), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  EXPECT_EQ((*images)[0].manifest.digest, m.arm.manifest.digest);
}

// A Docker archive as `docker save` wrote it before Docker 25.
struct LegacyArchive {
  std::string config_json;
  std::string layer1, layer2;
  Digest diff1, diff2;
  Files files;
};

LegacyArchive MakeLegacy(Compression layer_compression = Compression::kNone) {
  LegacyArchive l;
  l.layer1 = LayerTar({{"bin/sh", "shell"}}, layer_compression, &l.diff1);
  l.layer2 = LayerTar({{"etc/motd", "hello"}}, layer_compression, &l.diff2);
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.rootfs.diff_ids = {l.diff1, l.diff2, l.diff1};
  l.config_json = config.ToJson();
  std::string hex = Digest::Sha256Of(l.config_json).hex();
  std::string id1(64, '1'), id2(64, '2');
  l.files = {
      {"repositories", R"({"busybox":{"latest":")" + id2 + R"("}})"},
      {hex + ".json", l.config_json},
      {id1 + "/VERSION", "1.0"},
      {id1 + "/json", R"({"id":")" + id1 + R"("})"},
      {id1 + "/layer.tar", l.layer1},
      {id2 + "/VERSION", "1.0"},
      {id2 + "/json", R"({"id":")" + id2 + R"("})"},
      {id2 + "/layer.tar", l.layer2},
      {"manifest.json", R"([{"Config":")" + hex + R"(.json","RepoTags":["busybox:latest",)" +
                            R"("example.com/tools/bb:1"],"Layers":[")" + id1 + R"(/layer.tar",")" +
                            id2 + R"(/layer.tar","./)" + id1 + R"(/layer.tar"]}])"},
  };
  return l;
}

TEST(ArchiveReaderTest, LegacyDockerArchiveLoadsWithSynthesisedManifest) {
  LegacyArchive l = MakeLegacy();
  MemoryBlobStore loaded;
  auto images = Read(MakeTar(l.files), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  const LoadedImage& image = (*images)[0];
  EXPECT_EQ(image.tags, (std::vector<std::string>{"docker.io/library/busybox:latest",
                                                  "example.com/tools/bb:1"}));
  EXPECT_EQ(image.config, Digest::Sha256Of(l.config_json));
  ASSERT_EQ(image.layers.size(), 3u);
  EXPECT_EQ(image.layers[0].digest, l.diff1);  // an uncompressed layer's digest is its diff_id
  EXPECT_EQ(image.layers[1].digest, l.diff2);
  EXPECT_EQ(image.layers[2].digest, l.diff1);
  EXPECT_EQ(image.layers[1].diff_id, l.diff2);
  EXPECT_EQ(image.layers[1].size, static_cast<int64_t>(l.layer2.size()));
  EXPECT_EQ(image.layers[0].media_type, media_type::kOciLayer);

  EXPECT_EQ(image.manifest.media_type, media_type::kOciManifest);
  EXPECT_EQ(image.manifest.digest, Digest::Sha256Of(image.manifest_json));
  Result<Manifest> manifest = Manifest::FromJson(image.manifest_json);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ(manifest->config.digest, image.config);
  EXPECT_EQ(manifest->layers[1].digest, l.diff2);
  EXPECT_EQ(manifest->layers[1].media_type, media_type::kOciLayer);
  // The sink holds config, layers and the written manifest, not the metadata files.
  EXPECT_TRUE(loaded.Has(image.manifest.digest));
  EXPECT_EQ(loaded.Get(image.config), l.config_json);
  EXPECT_EQ(loaded.Get(l.diff1), l.layer1);
  EXPECT_FALSE(loaded.Has(Digest::Sha256Of("1.0")));
  EXPECT_EQ(loaded.size(), 4u);
}

TEST(ArchiveReaderTest, DockerArchiveLayerLinksAreFollowed) {
  LegacyArchive l = MakeLegacy();
  std::string id1(64, '1'), id3(64, '3');
  std::vector<LayerEntry> entries;
  for (const auto& [path, content] : l.files) {
    LayerEntry e;
    e.path = path;
    e.content = content;
    if (path == "manifest.json") {
      std::string m = content;
      m.replace(m.rfind("./" + id1), 2 + id1.size(), id3);
      e.content = m;
    }
    entries.push_back(e);
  }
  LayerEntry link;  // as older docker save and skopeo write a repeated layer
  link.path = id3 + "/layer.tar";
  link.type = EntryType::kSymlink;
  link.link_target = "../" + id1 + "/layer.tar";
  entries.insert(entries.begin(), link);
  MemoryBlobStore loaded;
  auto images = Read(MakeTarEntries(entries), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  EXPECT_EQ((*images)[0].layers[2].digest, l.diff1);
}

TEST(ArchiveReaderTest, DockerArchiveWithGzipLayersGetsGzipMediaType) {
  LegacyArchive l = MakeLegacy(Compression::kGzip);
  MemoryBlobStore loaded;
  auto images = Read(MakeTar(l.files), loaded);
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  EXPECT_EQ((*images)[0].layers[0].media_type, media_type::kOciLayerGzip);
  EXPECT_EQ((*images)[0].layers[0].digest, Digest::Sha256Of(l.layer1));
  EXPECT_EQ((*images)[0].layers[0].diff_id, l.diff1);
}

// ---- bad input ----

TEST(ArchiveReaderTest, RejectsWhatIsNotATar) {
  MemoryBlobStore sink;
  ExpectError(Read("this is a text file, not an archive\n", sink), StatusCode::kInvalidArgument,
              "not a tar");
  ExpectError(Read("", sink), StatusCode::kInvalidArgument, "empty");
}

TEST(ArchiveReaderTest, RejectsTruncatedTar) {
  MemoryBlobStore store;
  ArchiveImage a =
      MakeImage(store, {{{"x", std::string(100000, 'x')}}}, {"x:1"}, Compression::kNone);
  std::string archive = Write({a}, store);
  MemoryBlobStore sink;
  ExpectError(Read(archive.substr(0, 3000), sink), StatusCode::kCorruption, "truncated");
  std::string gz = Gzip(archive);
  ExpectError(Read(gz.substr(0, gz.size() / 2), sink), StatusCode::kCorruption, "");
}

TEST(ArchiveReaderTest, RejectsDotDotAndAbsoluteNames) {
  MemoryBlobStore sink;
  ExpectError(Read(MakeTar({{"blobs/../../etc/passwd", "x"}}), sink), StatusCode::kInvalidArgument,
              "\"blobs/../../etc/passwd\" has a '..' component");
  // LayerWriter refuses absolute names, so rename a written entry in place.
  std::string tar = MakeTar({{"xetc/passwd", "x"}});
  tar[0] = '/';
  unsigned sum = 0;
  std::fill(tar.begin() + 148, tar.begin() + 156, ' ');
  for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(tar[i]);
  std::snprintf(&tar[148], 8, "%06o", sum);
  ExpectError(Read(tar, sink), StatusCode::kInvalidArgument, "\"/etc/passwd\" is an absolute path");

  LayerEntry link;
  link.path = "layer.tar";
  link.type = EntryType::kSymlink;
  link.link_target = "../../outside";
  ExpectError(Read(MakeTarEntries({link}), sink), StatusCode::kInvalidArgument,
              "climbs out of the archive");
  link.link_target = "/etc/shadow";
  ExpectError(Read(MakeTarEntries({link}), sink), StatusCode::kInvalidArgument,
              "points outside the archive");
}

TEST(ArchiveReaderTest, RejectsTarWithoutImageMetadata) {
  MemoryBlobStore sink;
  ExpectError(Read(MakeTar({{"hello.txt", "hi"}}), sink), StatusCode::kInvalidArgument,
              "neither manifest.json (Docker) nor index.json (OCI)");
}

TEST(ArchiveReaderTest, RejectsManifestNamingMissingBlob) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"x", "y"}}}, {"x:1"});
  Files files = Unpack(Write({a}, store));
  std::erase_if(files, [&](const auto& f) { return f.first.ends_with(a.layers[0].digest.hex()); });
  MemoryBlobStore sink;
  ExpectError(Read(MakeTar(files), sink), StatusCode::kCorruption,
              "manifest blobs/sha256/" + a.manifest.digest.hex() + " names blob \"blobs/sha256/" +
                  a.layers[0].digest.hex() + "\", which is not in the archive");

  LegacyArchive l = MakeLegacy();
  std::erase_if(l.files,
                [](const auto& f) { return f.first == std::string(64, '2') + "/layer.tar"; });
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kCorruption,
              "manifest.json[0] names layer \"" + std::string(64, '2') + "/layer.tar\"");
}

TEST(ArchiveReaderTest, RejectsConfigWhoseDiffIdsDoNotMatchLayers) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"x", "y"}}}, {"x:1"});
  // A config with one diff_id too many, and a manifest that names it.
  Result<ImageConfig> config = ImageConfig::FromJson(store.Get(a.config));
  config->rootfs.diff_ids.push_back(Digest::Sha256Of("extra"));
  Digest config_digest = store.Put(config->ToJson());
  Result<Manifest> manifest = Manifest::FromJson(store.Get(a.manifest.digest));
  manifest->config.digest = config_digest;
  manifest->config.size = static_cast<int64_t>(store.Get(config_digest).size());
  std::string manifest_json = manifest->ToJson();
  a.manifest.digest = store.Put(manifest_json);
  a.manifest.size = static_cast<int64_t>(manifest_json.size());
  a.config = config_digest;
  MemoryBlobStore sink;
  ExpectError(
      Read(Write({a}, store), sink), StatusCode::kCorruption,
      "config \"blobs/sha256/" + config_digest.hex() + "\" lists 2 rootfs.diff_ids but manifest");

  LegacyArchive l = MakeLegacy();
  l.files.back().second = R"([{"Config":")" + Digest::Sha256Of(l.config_json).hex() +
                          R"(.json","Layers":[")" + std::string(64, '1') + R"(/layer.tar"]}])";
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kCorruption,
              "lists 3 rootfs.diff_ids but manifest.json[0] has 1 layers");
}

TEST(ArchiveReaderTest, RejectsBlobWhoseBytesDoNotMatchItsName) {
  MemoryBlobStore store;
  ArchiveImage a = MakeImage(store, {{{"x", "y"}}}, {"x:1"});
  Files files = Unpack(Write({a}, store));
  std::string name = "blobs/sha256/" + a.layers[0].digest.hex();
  for (auto& [path, content] : files) {
    if (path == name) content[content.size() / 2] ^= 1;
  }
  MemoryBlobStore sink;
  ExpectError(Read(MakeTar(files), sink), StatusCode::kCorruption,
              "entry \"" + name + "\" should hash to " + a.layers[0].digest.ToString());

  LegacyArchive l = MakeLegacy();
  std::string config_name = Digest::Sha256Of(l.config_json).hex() + ".json";
  for (auto& [path, content] : l.files) {
    if (path == config_name) content += " ";
  }
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kCorruption,
              "entry \"" + config_name + "\" should hash to");
}

TEST(ArchiveReaderTest, RejectsUncompressedDockerLayerThatIsNotItsDiffId) {
  LegacyArchive l = MakeLegacy();
  for (auto& [path, content] : l.files) {
    if (path == std::string(64, '2') + "/layer.tar") content = l.layer1;
  }
  MemoryBlobStore sink;
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kCorruption,
              "rootfs.diff_ids[1] is " + l.diff2.ToString());
}

TEST(ArchiveReaderTest, RejectsMalformedDocuments) {
  MemoryBlobStore sink;
  LegacyArchive l = MakeLegacy();
  l.files.back().second = "{not json";
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kInvalidArgument,
              "manifest.json is not a JSON array");

  l = MakeLegacy();
  l.files.back().second = R"([{"RepoTags":["a:1"],"Layers":[]}])";
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kInvalidArgument, "Config");

  l = MakeLegacy();
  std::string m = l.files.back().second;
  m.replace(m.find("busybox:latest"), 14, "Bad Tag");
  l.files.back().second = m;
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kInvalidArgument,
              "manifest.json[0].RepoTags \"Bad Tag\"");

  ExpectError(Read(MakeTar({{"oci-layout", R"({"imageLayoutVersion":"2.0.0"})"},
                            {"index.json", R"({"schemaVersion":2,"manifests":[]})"}}),
                   sink),
              StatusCode::kInvalidArgument, "imageLayoutVersion \"2.0.0\"");
  ExpectError(Read(MakeTar({{"index.json", R"({"schemaVersion":2,"manifests":[]})"}}), sink),
              StatusCode::kInvalidArgument, "index.json lists no image manifest");
}

// Fails every PutBlob, as a full disk would.
class FailingStore : public MemoryBlobStore {
 public:
  Result<Digest> PutBlob(ByteSource&, std::optional<Digest>) override {
    return Status::IOError("disk full");
  }
};

TEST(ArchiveReaderTest, SinkErrorNamesTheEntry) {
  LegacyArchive l = MakeLegacy();
  FailingStore sink;
  ExpectError(Read(MakeTar(l.files), sink), StatusCode::kIOError,
              "storing entry \"" + Digest::Sha256Of(l.config_json).hex() + ".json\": disk full");
}

// A header libarchive cannot read (ARCHIVE_RETRY) is a corrupt tar, not an
// entry without a name (archive_fuzz).
TEST(ArchiveReaderTest, DamagedHeaderIsCorruption) {
  MemoryBlobStore sink;
  StringSource in(testing::DamagedHeaderTar());
  auto r = ReadImageArchive(&in, sink);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  EXPECT_THAT(r.status().message(), HasSubstr("Damaged tar archive"));
}

}  // namespace
}  // namespace strata::image
