#pragma once

#include <memory>
#include <vector>

#include "cache/blob_store.h"
#include "image/byte_sink.h"

namespace strata::coordinator {

// An image::ByteSink writing into a BlobWriter; Close() only marks the end
// (the caller commits the writer with the digest it expects).
class BlobWriterSink : public image::ByteSink {
 public:
  explicit BlobWriterSink(cache::BlobWriter* writer) : writer_(writer) {}
  Status Write(const void* data, size_t size) override { return writer_->Write(data, size); }
  Status Close() override { return Status::OK(); }

 private:
  cache::BlobWriter* writer_;
};

// Blobs a multi-step operation added to the store, deleted again unless the
// operation reaches Keep(): a failed import leaves the store as it was.
class NewBlobs {
 public:
  explicit NewBlobs(cache::BlobStore& blobs) : blobs_(blobs) {}
  ~NewBlobs();
  NewBlobs(const NewBlobs&) = delete;
  NewBlobs& operator=(const NewBlobs&) = delete;

  // Stores `data` (its digest verified), remembering it when it is new.
  Result<Digest> Put(std::string_view data);
  // Commits `writer` expecting `digest`, remembering it when it is new.
  Status Commit(cache::BlobWriter& writer, const Digest& digest);
  void Keep() { added_.clear(); }

 private:
  cache::BlobStore& blobs_;
  std::vector<Digest> added_;
};

}  // namespace strata::coordinator
