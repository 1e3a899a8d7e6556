#pragma once

#include <string>

#include "common/result.h"

namespace strata {

// An advisory whole-file lock (flock) held for the object's lifetime; the
// kernel drops it when the process dies, so a crashed holder never leaves a
// stale lock behind. Move-only.
class FileLock {
 public:
  enum class Mode { kWait, kTry };

  // Opens (creating) `path` and takes an exclusive lock. With kTry, returns
  // Unavailable when another process holds it.
  static Result<FileLock> Acquire(const std::string& path, Mode mode);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace strata
