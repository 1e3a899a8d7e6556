#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "image/digest.h"

namespace strata::image {

// Where a byte stream goes (a file, a blob store upload, a compressor).
// Not thread-safe: one writer. Close() ends the stream and must be called
// once; a sink that is destroyed unclosed discards what it can.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(const void* data, size_t size) = 0;
  Status Write(std::string_view data) { return Write(data.data(), data.size()); }
  virtual Status Close() = 0;
};

// Writes to a file created (or truncated) at `path`, mode 0644.
class FileSink : public ByteSink {
 public:
  static Result<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;
  Status Write(const void* data, size_t size) override;
  Status Close() override;

 private:
  FileSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// Collects everything in memory (tests, small blobs).
class StringSink : public ByteSink {
 public:
  Status Write(const void* data, size_t size) override;
  Status Close() override;
  const std::string& data() const { return data_; }
  bool closed() const { return closed_; }

 private:
  std::string data_;
  bool closed_ = false;
};

// Forwards to `next` while hashing and counting the bytes. Close() closes
// `next` unless close_next is false. Does not own `next`.
class HashingSink : public ByteSink {
 public:
  explicit HashingSink(ByteSink* next, bool close_next = true)
      : next_(next), close_next_(close_next) {}
  Status Write(const void* data, size_t size) override;
  Status Close() override;
  uint64_t size() const { return hasher_.size(); }
  // REQUIRES: called once, after the last Write.
  Digest Finish() { return hasher_.Finish(); }

 private:
  ByteSink* next_;
  bool close_next_;
  Sha256Hasher hasher_;
};

// Discards the bytes (hash-only passes, benchmarks).
class NullSink : public ByteSink {
 public:
  Status Write(const void*, size_t) override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
};

}  // namespace strata::image
