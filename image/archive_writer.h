#pragma once

// `strata image save`: one tar that is at once an OCI image layout
// (oci-layout, index.json, blobs/<alg>/<hex>) and a Docker archive
// (manifest.json pointing into the same blobs/), as Docker 25+ writes it.
// Readable by skopeo (oci-archive: and docker-archive:), umoci (untarred)
// and `docker load`.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"
#include "image/descriptor.h"
#include "image/digest.h"

namespace strata::image {

// Where the writer reads blobs from (the coordinator adapts its blob store).
// Called from the writing thread only.
class ArchiveBlobSource {
 public:
  virtual ~ArchiveBlobSource() = default;
  // A stream of the blob's bytes; NotFound when the blob is absent.
  virtual Result<std::unique_ptr<ByteSource>> Open(const Digest& digest) = 0;
  // The blob's size in bytes; NotFound when absent.
  virtual Result<uint64_t> Size(const Digest& digest) = 0;
};

// One image to save.
struct ArchiveImage {
  Descriptor manifest;             // media_type, digest and size of the manifest blob
  Digest config;                   // the config blob the manifest names
  std::vector<Descriptor> layers;  // the layer blobs, in manifest order
  // Normalised references with a tag ("docker.io/library/busybox:latest");
  // empty for an untagged image.
  std::vector<std::string> tags;
};

// Writes `images` as one tar into `out` and closes `out` on success (on
// failure `out` is left open for the caller to discard).
//
// The output is reproducible: entries sorted by name, mtime 0, owner 0:0,
// no user or group names. Each blob (manifests, configs, layers) is stored
// once under blobs/<alg>/<hex> however many images share it, streamed from
// `blobs` and checked against its digest and size on the way (Corruption
// naming the blob when the store gives other bytes). index.json has one
// descriptor per (image, tag) carrying "io.containerd.image.name" (the full
// reference) and "org.opencontainers.image.ref.name" (the tag), and one
// descriptor without annotations for an untagged image. manifest.json has
// one entry per image with RepoTags in familiar form ("busybox:latest"),
// null when untagged.
//
// Errors: InvalidArgument for no images, a tag that is not a reference
// with a tag, or an image whose manifest is not a manifest media type;
// NotFound when `blobs` lacks a blob; the sink's error when writing fails.
Status WriteImageArchive(const std::vector<ArchiveImage>& images, ArchiveBlobSource& blobs,
                         ByteSink* out);

}  // namespace strata::image
