#include "cache/memory_blob_store.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace strata::cache {

namespace {

Status Missing(const Digest& digest) {
  return Status::NotFound("blob " + digest.ToString() + " is not in the store");
}

class MemoryBlobReader : public BlobReader {
 public:
  explicit MemoryBlobReader(std::shared_ptr<const std::string> bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> Read(void* buf, size_t n) override {
    size_t take = std::min(n, bytes_->size() - pos_);
    std::memcpy(buf, bytes_->data() + pos_, take);
    pos_ += take;
    return take;
  }
  uint64_t size() const override { return bytes_->size(); }

 private:
  std::shared_ptr<const std::string> bytes_;
  size_t pos_ = 0;
};

}  // namespace

class MemoryBlobWriter : public BlobWriter {
 public:
  explicit MemoryBlobWriter(MemoryBlobStore* store) : store_(store) {}
  Status Write(const void* data, size_t size) override {
    if (done_) return Status::Internal("write to a finished blob writer");
    bytes_.append(static_cast<const char*>(data), size);
    return Status::OK();
  }
  Result<Digest> Commit(std::optional<Digest> expected) override {
    if (done_) return Status::Internal("commit of a finished blob writer");
    done_ = true;
    Digest actual = Digest::Sha256Of(bytes_);
    if (expected && *expected != actual) {
      return Status::Corruption("blob content is " + actual.ToString() + " but " +
                                expected->ToString() + " was expected");
    }
    store_->Insert(actual, std::move(bytes_));
    return actual;
  }

 private:
  MemoryBlobStore* store_;
  std::string bytes_;
  bool done_ = false;
};

void MemoryBlobStore::Insert(const Digest& digest, std::string bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  blobs_[digest] = std::make_shared<const std::string>(std::move(bytes));
}

void MemoryBlobStore::CorruptForTest(const Digest& digest, std::string bytes) {
  Insert(digest, std::move(bytes));
}

Result<bool> MemoryBlobStore::Has(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  return blobs_.count(digest) > 0;
}

Result<uint64_t> MemoryBlobStore::Size(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return Missing(digest);
  return static_cast<uint64_t>(it->second->size());
}

Result<std::unique_ptr<BlobReader>> MemoryBlobStore::Open(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return Missing(digest);
  return std::unique_ptr<BlobReader>(new MemoryBlobReader(it->second));
}

Result<std::unique_ptr<BlobWriter>> MemoryBlobStore::Create() {
  return std::unique_ptr<BlobWriter>(new MemoryBlobWriter(this));
}

Result<Digest> MemoryBlobStore::PutFile(const std::string& path, std::optional<Digest> expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("open " + path + ": cannot read the file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return Put(bytes.str(), std::move(expected));
}

Status MemoryBlobStore::Delete(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  if (blobs_.erase(digest) == 0) return Missing(digest);
  return Status::OK();
}

Result<std::vector<Digest>> MemoryBlobStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Digest> out;
  for (const auto& [digest, bytes] : blobs_) out.push_back(digest);
  return out;
}

}  // namespace strata::cache
