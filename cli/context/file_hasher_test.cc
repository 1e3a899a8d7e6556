#include "cli/context/file_hasher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "cli/context/test_tree.h"

namespace strata::cli::context {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(FileHasherTest, OutputsFollowJobOrderOnAnyThreadCount) {
  TempDir t;
  std::vector<HashJob> jobs;
  for (int i = 0; i < 64; ++i) {
    std::string content(static_cast<size_t>(i) * 40000, static_cast<char>('a' + i % 26));
    WriteFile(t / std::to_string(i), content);
    jobs.push_back(HashJob{t / std::to_string(i), std::to_string(i)});
  }
  for (int threads : {1, 2, 4}) {
    Result<std::vector<HashOutput>> out = HashFiles(jobs, threads);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->size(), jobs.size());
    for (int i = 0; i < 64; ++i) {
      std::string content(static_cast<size_t>(i) * 40000, static_cast<char>('a' + i % 26));
      EXPECT_EQ((*out)[static_cast<size_t>(i)].content, Digest::Sha256Of(content));
      EXPECT_EQ((*out)[static_cast<size_t>(i)].bytes, content.size());
    }
  }
}

TEST(FileHasherTest, ReportsTheFirstFailingJob) {
  TempDir t;
  std::vector<HashJob> jobs;
  for (int i = 0; i < 40; ++i) {
    std::string name = "f" + std::to_string(i);
    if (i != 10 && i != 30) WriteFile(t / name, "x");
    jobs.push_back(HashJob{t / name, "dir/" + name});
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    Result<std::vector<HashOutput>> out = HashFiles(jobs, 2);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.status().message().find("\"dir/f10\""), std::string::npos)
        << out.status().message();
  }
}

TEST(FileHasherTest, DoesNotFollowASymlink) {
  TempDir t;
  WriteFile(t / "real", "x");
  ASSERT_EQ(::symlink("real", (t / "link").c_str()), 0);
  Result<std::vector<HashOutput>> out = HashFiles({HashJob{t / "link", "link"}}, 1);
  EXPECT_FALSE(out.ok());
}

}  // namespace
}  // namespace strata::cli::context
