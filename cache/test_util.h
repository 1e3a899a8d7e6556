#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace strata::cache {

// A fresh directory per test under $TMPDIR, removed when the test passed and
// kept (and printed) when it failed.
class TempDir {
 public:
  TempDir() {
    std::string base = std::filesystem::temp_directory_path() / "strata-cache-test-XXXXXX";
    path_ = ::mkdtemp(base.data());
  }
  ~TempDir() {
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "kept test directory %s\n", path_.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

#define ASSERT_OK(expr)                                                             \
  do {                                                                              \
    const auto& strata_s_ = (expr);                                                 \
    ASSERT_TRUE(strata_s_.ok()) << ::strata::cache::StatusOf(strata_s_).ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                                             \
  do {                                                                              \
    const auto& strata_s_ = (expr);                                                 \
    EXPECT_TRUE(strata_s_.ok()) << ::strata::cache::StatusOf(strata_s_).ToString(); \
  } while (0)

}  // namespace strata::cache
