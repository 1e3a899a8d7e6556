#pragma once

// Test helpers for cli/context tests: a temporary directory per test and
// file-creation shortcuts. Test-only; never linked into the library.

#include <string>

namespace strata::cli::context::testing {

// A fresh directory under $TMPDIR (mode 0755), removed on destruction
// unless the current test failed (then kept and its path printed).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Creates parent directories as needed; aborts the test binary on failure.
// (For a directory alone, use MakeDirs of common/file_util.h.)
void WriteFile(const std::string& path, const std::string& content, int mode = 0644);
// Sets mtime and atime to `unix_seconds` (ctime becomes now).
void SetTimes(const std::string& path, long unix_seconds);
// `cp -r` without -p: same content and permission bits, new inodes and times.
void CopyTree(const std::string& from, const std::string& to);

}  // namespace strata::cli::context::testing
