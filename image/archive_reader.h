#pragma once

// `strata image load`: reads an image archive in one sequential pass.
// Accepts what WriteImageArchive writes, a plain OCI image layout tar
// (oci-layout + index.json + blobs/) and a Docker archive (manifest.json
// with Config/Layers paths, old-style "<hex>.json" and "<id>/layer.tar"
// included), as a plain, gzip or zstd compressed tar.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/byte_source.h"
#include "image/descriptor.h"
#include "image/digest.h"

namespace strata::image {

// Where the reader puts blobs (the coordinator adapts its blob store).
// Called from the reading thread only, once per archive file that may be a
// blob, in archive order.
class ArchiveSink {
 public:
  virtual ~ArchiveSink() = default;
  // Stores the bytes of `data` (read to its end) as a blob and returns the
  // digest of what was stored. `expected` is set when the archive names the
  // blob by digest; the reader checks it too. A sink that already holds the
  // blob may just drain `data`.
  virtual Result<Digest> PutBlob(ByteSource& data, std::optional<Digest> expected) = 0;
};

struct LoadedLayer {
  Digest digest;   // of the blob as stored
  Digest diff_id;  // from the config's rootfs.diff_ids
  int64_t size = 0;
  std::string media_type;  // an OCI or Docker layer type matching the bytes
};

struct LoadedImage {
  // media_type, digest and size of the manifest. For a Docker archive
  // without OCI manifests the reader writes an OCI manifest (layer media
  // types matching the layer bytes: plain tar, gzip or zstd).
  Descriptor manifest;
  std::string manifest_json;  // the manifest's bytes
  Digest config;
  std::vector<LoadedLayer> layers;
  // Normalised references, sorted ("docker.io/library/busybox:latest");
  // empty for an untagged image.
  std::vector<std::string> tags;
};

struct ArchiveReadOptions {
  // Which manifest of a multi-platform index to load; an index with a
  // single image manifest loads that one whatever its platform.
  std::string os = "linux";
  std::string architecture = "amd64";
};

// Reads the archive from `in`, handing every file that may be a blob to
// `sink` as it streams past, then resolves the images. On success every
// blob the returned images reference (manifests included, a synthesised one
// too) has been given to `sink`. One LoadedImage per distinct manifest,
// in the order the archive lists them.
//
// Errors name the archive file at fault:
//   InvalidArgument: not a tar; an entry name that is absolute or has "..";
//     a link pointing outside the archive; neither manifest.json nor
//     index.json; malformed JSON documents or references; an index with no
//     manifest for the wanted platform.
//   Corruption: a truncated tar or compressed stream; a blobs/<alg>/<hex>
//     or <hex>.json entry whose bytes hash to something else; a manifest
//     naming a blob the archive lacks; a config whose rootfs.diff_ids count
//     differs from the layer count; an uncompressed layer whose digest is
//     not its diff_id.
//   The sink's errors, annotated with the entry name.
Result<std::vector<LoadedImage>> ReadImageArchive(ByteSource* in, ArchiveSink& sink,
                                                  const ArchiveReadOptions& options = {});

}  // namespace strata::image
