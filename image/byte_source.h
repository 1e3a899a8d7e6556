#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"

namespace strata::image {

// A byte stream read front to back (a file, a blob download, a decompressor).
// Not thread-safe.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns 0 only at the end of the stream.
  virtual Result<size_t> Read(void* buffer, size_t size) = 0;
};

// Reads a file opened at `path`.
class FileSource : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  Result<size_t> Read(void* buffer, size_t size) override;

 private:
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// Reads from memory.
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(void* buffer, size_t size) override;

 private:
  std::string data_;
  size_t offset_ = 0;
};

}  // namespace strata::image
