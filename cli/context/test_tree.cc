#include "cli/context/test_tree.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/file_util.h"

namespace strata::cli::context::testing {
namespace fs = std::filesystem;

namespace {
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "test_tree: %s\n", what.c_str());
  std::abort();
}
}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/strata-context-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp " + tmpl);
  ::chmod(tmpl.c_str(), 0755);
  path_ = tmpl;
}

TempDir::~TempDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info != nullptr && info->result()->Failed()) {
    std::fprintf(stderr, "kept test directory %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content, int mode) {
  if (Status made = strata::MakeDirs(fs::path(path).parent_path(), 0755); !made.ok())
    Die(made.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) Die("write " + path);
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) Die("chmod " + path);
}

void SetTimes(const std::string& path, long unix_seconds) {
  struct timespec times[2] = {{unix_seconds, 0}, {unix_seconds, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    Die("utimensat " + path);
}

void CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) Die("copy " + from + " -> " + to + ": " + ec.message());
  // std::filesystem copies permission bits of files; make directories match too.
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    if (e.is_directory() && !e.is_symlink()) {
      fs::path rel = fs::relative(e.path(), from);
      fs::permissions(fs::path(to) / rel, e.status().permissions(), ec);
    }
  }
  fs::permissions(to, fs::status(from).permissions(), ec);
}

}  // namespace strata::cli::context::testing
