#pragma once

// Test-only: images seeded into a FakeRegistryClient the way a registry
// holds them (layer blobs, a config naming their diff_ids, a manifest, an
// optional multi-platform index), for the puller's and the builds' tests.

#include <string>
#include <vector>

#include "image/descriptor.h"
#include "image/image_config.h"
#include "image/index.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "registry/testing/fake_registry_client.h"

namespace strata::coordinator::testing {

struct SeededImage {
  Digest manifest_digest;
  Digest config_digest;
  std::vector<image::Descriptor> layers;
  std::string manifest_bytes;
};

// Seeds an image of `layer_contents` (uncompressed tars as far as the
// puller cares: their digest is their diff_id) under repo:tag ("" for none).
// `env` goes into the config, so the builds' tests can see it was read.
inline SeededImage SeedImage(registry::testing::FakeRegistryClient& registry,
                             const std::string& repo, const std::string& tag,
                             const std::vector<std::string>& layer_contents,
                             const std::string& arch = "amd64",
                             std::vector<std::string> env = {"PATH=/usr/bin:/bin"}) {
  SeededImage out;
  image::ImageConfig config;
  config.created = "2024-05-06T07:08:09Z";
  config.os = "linux";
  config.architecture = arch;
  config.config.env = std::move(env);
  image::Manifest manifest;
  manifest.media_type = std::string(image::media_type::kOciManifest);
  for (const std::string& content : layer_contents) {
    image::Descriptor d =
        registry.AddBlob(repo, content, std::string(image::media_type::kOciLayer));
    config.rootfs.diff_ids.push_back(d.digest);
    image::HistoryEntry h;
    h.created = config.created;
    h.created_by = "layer " + std::to_string(out.layers.size());
    config.history.push_back(h);
    manifest.layers.push_back(d);
    out.layers.push_back(d);
  }
  manifest.config =
      registry.AddBlob(repo, config.ToJson(), std::string(image::media_type::kOciConfig));
  out.config_digest = manifest.config.digest;
  // Not strata's canonical form: the stored bytes must be the registry's.
  out.manifest_bytes = manifest.ToJson() + "\n";
  out.manifest_digest = registry.AddManifest(repo, tag, manifest.media_type, out.manifest_bytes);
  return out;
}

// An index over already seeded manifests, under repo:tag.
inline Digest SeedIndex(registry::testing::FakeRegistryClient& registry, const std::string& repo,
                        const std::string& tag,
                        const std::vector<std::pair<SeededImage, std::string>>& by_arch) {
  image::Index index;
  index.media_type = std::string(image::media_type::kOciIndex);
  for (const auto& [img, arch] : by_arch) {
    image::Descriptor d;
    d.media_type = std::string(image::media_type::kOciManifest);
    d.digest = img.manifest_digest;
    d.size = static_cast<int64_t>(img.manifest_bytes.size());
    image::Platform p;
    p.os = "linux";
    p.architecture = arch;
    d.platform = p;
    index.manifests.push_back(d);
  }
  return registry.AddManifest(repo, tag, index.media_type, index.ToJson());
}

}  // namespace strata::coordinator::testing
