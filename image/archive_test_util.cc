#include "image/archive_test_util.h"

#include <gtest/gtest.h>

#include "image/byte_sink.h"
#include "image/image_config.h"
#include "image/layer.h"
#include "image/layer_writer.h"
#include "image/manifest.h"
#include "image/media_types.h"

namespace strata::image::testing {

Result<std::unique_ptr<ByteSource>> MemoryBlobStore::Open(const Digest& digest) {
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return Status::NotFound("no blob " + digest.ToString());
  return std::unique_ptr<ByteSource>(std::make_unique<StringSource>(it->second));
}

Result<uint64_t> MemoryBlobStore::Size(const Digest& digest) {
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return Status::NotFound("no blob " + digest.ToString());
  return static_cast<uint64_t>(it->second.size());
}

Result<Digest> MemoryBlobStore::PutBlob(ByteSource& data, std::optional<Digest> expected) {
  ++puts_;
  std::string bytes;
  char buffer[4096];
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, data.Read(buffer, sizeof buffer));
    if (n == 0) break;
    bytes.append(buffer, n);
  }
  Digest digest = Digest::Sha256Of(bytes);
  if (expected && *expected != digest) {
    return Status::Corruption("memory store: expected " + expected->ToString());
  }
  blobs_[digest] = std::move(bytes);
  return digest;
}

Digest MemoryBlobStore::Put(const std::string& bytes) {
  Digest digest = Digest::Sha256Of(bytes);
  blobs_[digest] = bytes;
  return digest;
}

ArchiveImage MakeImage(MemoryBlobStore& store,
                       const std::vector<std::map<std::string, std::string>>& layers,
                       const std::vector<std::string>& tags, Compression compression,
                       const std::string& cmd) {
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.config.cmd = std::vector<std::string>{cmd};
  Manifest manifest;
  manifest.media_type = media_type::kOciManifest;
  ArchiveImage image;
  for (const auto& files : layers) {
    std::vector<LayerEntry> entries;
    for (const auto& [path, content] : files) {
      LayerEntry e;
      e.path = path;
      e.mode = 0755;
      e.content = content;
      entries.push_back(e);
    }
    StringSink blob;
    Result<LayerResult> layer = WriteLayer(LayerSource::FromEntries(entries), compression, &blob);
    EXPECT_TRUE(layer.ok()) << layer.status().ToString();
    Digest digest = store.Put(blob.data());
    EXPECT_EQ(digest, layer->blob_digest);
    config.rootfs.diff_ids.push_back(layer->diff_id);
    Descriptor d;
    d.media_type = LayerMediaType(compression);
    d.digest = digest;
    d.size = static_cast<int64_t>(blob.data().size());
    manifest.layers.push_back(d);
  }
  std::string config_json = config.ToJson();
  manifest.config.media_type = media_type::kOciConfig;
  manifest.config.digest = store.Put(config_json);
  manifest.config.size = static_cast<int64_t>(config_json.size());
  std::string manifest_json = manifest.ToJson();
  image.manifest.media_type = media_type::kOciManifest;
  image.manifest.digest = store.Put(manifest_json);
  image.manifest.size = static_cast<int64_t>(manifest_json.size());
  image.config = manifest.config.digest;
  image.layers = manifest.layers;
  image.tags = tags;
  return image;
}

std::string MakeTar(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<LayerEntry> entries;
  for (const auto& [path, content] : files) {
    LayerEntry e;
    e.path = path;
    e.content = content;
    entries.push_back(e);
  }
  return MakeTarEntries(entries);
}

std::string MakeTarEntries(const std::vector<LayerEntry>& entries) {
  StringSink out;
  LayerWriter writer(&out, {});
  for (const LayerEntry& e : entries) {
    Status s = writer.Add(e);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  Status s = writer.Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out.data();
}

std::string DamagedHeaderTar() {
  std::string tar(1024, '\0');
  const std::pair<size_t, std::string> runs[] = {
      {0x000, std::string("d/link", 6)},
      {0x064, std::string("0000777\0"
                          "0000000\0"
                          "0000000\0"
                          "00000000000\0"
                          "15304237050\0"
                          "011515\0 2file",
                          61)},
      {0x101, std::string("ustar  \0root", 12)},
      {0x129, std::string("root", 4)},
      {0x24b, std::string("0000644\0"
                          "0000000\0"
                          "0000000\0"
                          "00000000006\0"
                          "15304237050\0"
                          "010634\0 0",
                          57)},
  };
  for (const auto& [offset, bytes] : runs) tar.replace(offset, bytes.size(), bytes);
  return tar;
}

}  // namespace strata::image::testing
