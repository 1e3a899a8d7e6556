// Runs BuildKit's parser test data (tests/data/buildkit, see its NOTE.md):
// every parser/<case> must dump exactly as its `result` file, every
// parser-negative/<case> must fail to parse. A missing data directory fails.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

#include "dockerfile/conformance_data.h"
#include "dockerfile/dump.h"
#include "dockerfile/parser.h"

namespace strata::dockerfile {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> ConformanceDir() {
  fs::path dir = ConformanceDataDir();
  std::error_code ec;
  if (fs::is_directory(dir / "parser", ec)) return dir;
  return std::nullopt;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> CaseDirs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ParserConformanceTest, DumpsMatchBuildKitByteForByte) {
  std::optional<fs::path> root = ConformanceDir();
  ASSERT_TRUE(root.has_value()) << "conformance data not found at " << ConformanceDataDir();
  std::vector<fs::path> cases = CaseDirs(*root / "parser");
  ASSERT_GE(cases.size(), 33u);
  int passed = 0;
  for (const fs::path& dir : cases) {
    SCOPED_TRACE(dir.filename().string());
    Result<Ast> ast = Parse(ReadFile(dir / "Dockerfile"));
    ASSERT_TRUE(ast.ok()) << ast.status().ToString();
    std::string want = ReadFile(dir / "result");
    std::string got = Dump(*ast) + "\n";
    EXPECT_EQ(got, want);
    if (got == want) ++passed;
  }
  std::cout << "parser conformance: " << passed << "/" << cases.size() << " passed" << std::endl;
  EXPECT_EQ(passed, static_cast<int>(cases.size()));
}

TEST(ParserConformanceTest, NegativeCasesAreRejected) {
  std::optional<fs::path> root = ConformanceDir();
  ASSERT_TRUE(root.has_value()) << "conformance data not found at " << ConformanceDataDir();
  std::vector<fs::path> cases = CaseDirs(*root / "parser-negative");
  ASSERT_GE(cases.size(), 4u);
  int rejected = 0;
  for (const fs::path& dir : cases) {
    SCOPED_TRACE(dir.filename().string());
    Result<Ast> ast = Parse(ReadFile(dir / "Dockerfile"));
    EXPECT_FALSE(ast.ok());
    if (!ast.ok()) {
      ++rejected;
      EXPECT_TRUE(ast.status().IsInvalidArgument());
      EXPECT_EQ(ast.status().message().rfind("line ", 0), 0u) << ast.status().message();
    }
  }
  std::cout << "parser-negative conformance: " << rejected << "/" << cases.size() << " rejected"
            << std::endl;
  EXPECT_EQ(rejected, static_cast<int>(cases.size()));
}

}  // namespace
}  // namespace strata::dockerfile
