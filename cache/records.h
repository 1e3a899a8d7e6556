#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/digest.h"

namespace strata::cache {

// The records the metadata store keeps. Their byte encodings are in
// record_codec.h and docs/store-format.md.

// One layer of a stored image.
struct LayerRecord {
  Digest digest;           // the (compressed) layer blob as stored
  Digest diff_id;          // digest of the uncompressed tar
  uint64_t size = 0;       // bytes of the blob
  std::string media_type;  // e.g. application/vnd.oci.image.layer.v1.tar+gzip
  // Bytes of the uncompressed tar (what `image ls` adds up, as Docker shows
  // the unpacked size); 0 when unknown (records written before version 2).
  uint64_t uncompressed_size = 0;

  friend bool operator==(const LayerRecord&, const LayerRecord&) = default;
};

// An image in the local store. Its id is the digest of its config blob.
struct ImageRecord {
  Digest id;  // == config_digest
  Digest manifest_digest;
  std::string manifest_media_type;
  Digest config_digest;
  std::string config_media_type;
  std::vector<LayerRecord> layers;
  int64_t created_unix_nanos = 0;
  uint64_t total_size = 0;  // manifest + config + layer blobs, in bytes (compressed)
  std::string platform;     // "linux/amd64"
  // Where the image came from or went to: "NAME@<manifest digest>" per
  // repository it was pulled from or pushed to, normalised
  // ("docker.io/library/busybox@sha256:…"), as Docker's RepoDigests. Empty
  // for an image only built or loaded here (records before version 3 too).
  std::vector<std::string> repo_digests;

  // The blobs this image keeps alive: manifest (when set), config and layers,
  // each once.
  std::vector<Digest> ReferencedBlobs() const;

  friend bool operator==(const ImageRecord&, const ImageRecord&) = default;
};

// One cached build step. Keyed by (key, ns): a namespace reads its own entries
// and the shared ones; it writes only its own.
struct CacheEntry {
  Digest key;           // cache key (cache_key.h)
  std::string ns;       // namespace (team) that wrote the entry
  bool shared = false;  // readable by every namespace
  Digest layer_digest;  // empty for steps that make no layer
  Digest diff_id;
  uint64_t size = 0;
  std::string media_type;
  std::string metadata;  // config delta etc., opaque to the store
  int64_t created_unix_nanos = 0;
  uint64_t uncompressed_size = 0;  // bytes of the layer's tar; 0: unknown or no layer

  // The blobs this entry keeps alive (its layer, when it has one).
  std::vector<Digest> ReferencedBlobs() const;

  friend bool operator==(const CacheEntry&, const CacheEntry&) = default;
};

// Build states as stored; values are never renumbered.
enum class BuildState : uint8_t { kRunning = 0, kSucceeded = 1, kFailed = 2, kCancelled = 3 };

// A record of one build, for `strata build ls` and for explaining cache hits.
struct BuildRecord {
  std::string id;
  std::string ns;
  BuildState state = BuildState::kRunning;
  int64_t started_unix_nanos = 0;
  int64_t finished_unix_nanos = 0;
  Digest image_id;  // empty unless succeeded
  std::vector<std::string> tags;
  uint32_t steps = 0;
  uint32_t cached_steps = 0;
  std::string error;

  friend bool operator==(const BuildRecord&, const BuildRecord&) = default;
};

// What an Untag / RemoveImage / RemoveCacheEntry did. `unreferenced_blobs`
// are exactly the blobs whose reference count reached zero: the caller
// deletes their files after the metadata change is durable.
struct RemoveOutcome {
  std::vector<std::string> untagged;
  std::vector<Digest> deleted_images;
  std::vector<Digest> unreferenced_blobs;
};

}  // namespace strata::cache
