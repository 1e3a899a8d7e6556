#include "image/test_tree.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file_util.h"

namespace strata::image::testing {

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/strata-image-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info != nullptr && info->result()->Failed()) {
    std::fprintf(stderr, "kept test directory %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content, int mode) {
  if (!strata::MakeDirs(std::filesystem::path(path).parent_path(), 0755).ok()) std::abort();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out || ::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) std::abort();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> OddNames() {
  std::string long_dir;
  for (int i = 0; i < 40; ++i) long_dir += "\xc5\x91";  // 40 x "ő", 80 bytes
  return {
      "names/F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny.crt",  // Főtanúsítvány.crt
      "names/nfd-o\xcc\x88",                                  // "o" + combining diaeresis
      "names/latin1-\xe9t\xe9",                               // ISO-8859-1 "été": not UTF-8
      "names/" + long_dir + "/" + long_dir + "/f\xc5\x91.txt",
  };
}

ScopedProcessLocale::ScopedProcessLocale(const char* name)
    : ok_(std::setlocale(LC_ALL, name) != nullptr) {}

ScopedProcessLocale::~ScopedProcessLocale() { std::setlocale(LC_ALL, "C"); }

}  // namespace strata::image::testing
