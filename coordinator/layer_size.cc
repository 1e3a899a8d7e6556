#include "coordinator/layer_size.h"

#include <memory>
#include <vector>

#include "image/compression.h"

namespace strata::coordinator {
namespace {

class BlobByteSource : public image::ByteSource {
 public:
  explicit BlobByteSource(std::unique_ptr<cache::BlobReader> r) : reader_(std::move(r)) {}
  Result<size_t> Read(void* buffer, size_t size) override { return reader_->Read(buffer, size); }

 private:
  std::unique_ptr<cache::BlobReader> reader_;
};

}  // namespace

Result<uint64_t> UncompressedLayerSize(cache::BlobStore& blobs, const cache::LayerRecord& layer) {
  if (layer.uncompressed_size != 0) return layer.uncompressed_size;
  Result<std::unique_ptr<cache::BlobReader>> reader = blobs.Open(layer.digest);
  if (!reader.ok()) return reader.status().Annotate("layer " + layer.digest.ToString());
  BlobByteSource blob(std::move(*reader));
  std::unique_ptr<image::ByteSource> tar = image::NewDecompressingSource(&blob);
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    Result<size_t> n = tar->Read(buf.data(), buf.size());
    if (!n.ok()) return n.status().Annotate("layer " + layer.digest.ToString());
    if (*n == 0) break;
    total += *n;
  }
  return total;
}

Status FillUncompressedSizes(cache::BlobStore& blobs, std::vector<cache::LayerRecord>* layers) {
  for (cache::LayerRecord& layer : *layers) {
    ASSIGN_OR_RETURN(layer.uncompressed_size, UncompressedLayerSize(blobs, layer));
  }
  return Status::OK();
}

Result<uint64_t> ImageSizer::LayerSize(const cache::LayerRecord& layer) {
  if (layer.uncompressed_size != 0) return layer.uncompressed_size;
  {
    MutexLock lock(mu_);
    auto it = computed_.find(layer.digest);
    if (it != computed_.end()) return it->second;
  }
  // Outside the lock: decompressing a large layer takes a while.
  ASSIGN_OR_RETURN(uint64_t size, UncompressedLayerSize(blobs_, layer));
  MutexLock lock(mu_);
  computed_.emplace(layer.digest, size);
  return size;
}

Result<uint64_t> ImageSizer::Size(const cache::ImageRecord& image) {
  uint64_t total = 0;
  for (const cache::LayerRecord& layer : image.layers) {
    ASSIGN_OR_RETURN(uint64_t size, LayerSize(layer));
    total += size;
  }
  return total;
}

}  // namespace strata::coordinator
