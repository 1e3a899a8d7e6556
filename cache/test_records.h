#pragma once

#include <string>
#include <vector>

#include "cache/blob_store.h"
#include "cache/records.h"

namespace strata::cache {

// An image record whose manifest, config and layer digests are those of the
// given strings (so tests can store matching blobs).
inline ImageRecord MakeImage(const std::string& name, const std::vector<std::string>& layers) {
  ImageRecord r;
  r.config_digest = Digest::Sha256Of("config:" + name);
  r.id = r.config_digest;
  r.manifest_digest = Digest::Sha256Of("manifest:" + name);
  r.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
  r.config_media_type = "application/vnd.oci.image.config.v1+json";
  for (const std::string& layer : layers) {
    r.layers.push_back({Digest::Sha256Of(layer), Digest::Sha256Of("diff:" + layer), layer.size(),
                        "application/vnd.oci.image.layer.v1.tar"});
  }
  r.platform = "linux/amd64";
  return r;
}

// Stores the blobs MakeImage(name, layers) names; false on failure.
inline bool PutImageBlobs(BlobStore& store, const std::string& name,
                          const std::vector<std::string>& layers) {
  bool ok = store.Put("config:" + name).ok() && store.Put("manifest:" + name).ok();
  for (const std::string& layer : layers) ok = ok && store.Put(layer).ok();
  return ok;
}

inline CacheEntry MakeEntry(const std::string& key, const std::string& ns,
                            const std::string& layer) {
  CacheEntry e;
  e.key = Digest::Sha256Of("key:" + key);
  e.ns = ns;
  if (!layer.empty()) {
    e.layer_digest = Digest::Sha256Of(layer);
    e.diff_id = Digest::Sha256Of("diff:" + layer);
    e.size = layer.size();
  }
  e.metadata = "{}";
  return e;
}

}  // namespace strata::cache
