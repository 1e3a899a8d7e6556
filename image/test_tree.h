#pragma once

// Test helpers for image/ tests: a temporary directory per test and small
// file-creation shortcuts. Test-only; never linked into the library.

#include <string>
#include <vector>

namespace strata::image::testing {

// A fresh directory under $TMPDIR, removed on destruction unless the
// current test failed (then kept for inspection and its path logged).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Creates parent directories as needed; aborts the test binary on failure.
// (For a directory alone, use MakeDirs of common/file_util.h.)
void WriteFile(const std::string& path, const std::string& content, int mode = 0644);
std::string ReadFile(const std::string& path);
bool Exists(const std::string& path);  // lstat succeeds

// Names every tar path must carry byte for byte: UTF-8 (NFC, and NFD
// with a combining mark), a byte that is not UTF-8, and a non-ASCII path
// longer than 100 bytes (beyond ustar's name field), all under "names/".
std::vector<std::string> OddNames();

// The process locale for the scope (setlocale(LC_ALL)), as a program that
// calls setlocale would run libarchive; "C" again at the end.
class ScopedProcessLocale {
 public:
  explicit ScopedProcessLocale(const char* name);
  ~ScopedProcessLocale();
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

}  // namespace strata::image::testing
