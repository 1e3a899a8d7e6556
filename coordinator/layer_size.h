#pragma once

// The unpacked size of layers: what `image ls` SIZE and `inspect` .Size add
// up, as Docker shows the uncompressed size. New records carry it
// (LayerRecord::uncompressed_size); for records written before it existed
// (store format version 1) it is computed from the blob.

#include <cstdint>
#include <map>
#include <vector>

#include "cache/blob_store.h"
#include "cache/records.h"
#include "common/mutex.h"
#include "common/result.h"

namespace strata::coordinator {

// Bytes of `layer`'s uncompressed tar: the recorded size, or, when it is
// unknown (0), the blob decompressed and counted.
Result<uint64_t> UncompressedLayerSize(cache::BlobStore& blobs, const cache::LayerRecord& layer);

// Sets every unknown uncompressed_size of `layers` from its blob.
Status FillUncompressedSizes(cache::BlobStore& blobs, std::vector<cache::LayerRecord>* layers);

// Sums the unpacked sizes of images' layers, remembering the ones it had to
// compute so that a listing decompresses each old layer once per process.
// Thread-safe (the I/O thread lists while a request thread commits).
class ImageSizer {
 public:
  explicit ImageSizer(cache::BlobStore& blobs) : blobs_(blobs) {}
  // The sum over the image's layers (a layer listed twice counts twice, as
  // Docker adds each layer of the chain).
  Result<uint64_t> Size(const cache::ImageRecord& image);
  // One layer's unpacked size (UncompressedLayerSize, remembered).
  Result<uint64_t> LayerSize(const cache::LayerRecord& layer);

 private:
  cache::BlobStore& blobs_;
  Mutex mu_;
  std::map<Digest, uint64_t> computed_ GUARDED_BY(mu_);
};

}  // namespace strata::coordinator
