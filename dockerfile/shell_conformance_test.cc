// Runs BuildKit's own word-expansion test data (frontend/dockerfile/shell/
// envVarTest and wordsTest, copied to tests/data/buildkit/shell/) the way
// BuildKit's lex_test.go does, and fails if the data cannot be found.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dockerfile/conformance_data.h"
#include "dockerfile/go_unicode.h"
#include "dockerfile/shell_lexer.h"

namespace strata::dockerfile {
namespace {

namespace fs = std::filesystem;

// The conformance data directory, or empty when it has no shell/envVarTest.
fs::path FindConformanceDir() {
  fs::path dir = ConformanceDataDir();
  std::error_code ec;
  if (fs::exists(dir / "shell" / "envVarTest", ec)) return dir;
  return {};
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// strings.TrimSpace.
std::string TrimSpace(std::string_view s) {
  auto space_at = [&](size_t i) { return IsGoSpace(static_cast<unsigned char>(s[i])); };
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && space_at(begin)) ++begin;
  while (end > begin && space_at(end - 1)) --end;
  return std::string(s.substr(begin, end - begin));
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  for (size_t pos;; s.remove_prefix(pos + 1)) {
    pos = s.find(sep);
    parts.emplace_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return parts;
  }
}

std::string Join(const std::vector<std::string>& words) {
  std::string out = "[";
  for (size_t i = 0; i < words.size(); ++i) out += (i ? ", \"" : "\"") + words[i] + "\"";
  return out + "]";
}

TEST(ShellConformanceTest, EnvVarTest) {
  fs::path dir = FindConformanceDir();
  ASSERT_FALSE(dir.empty()) << "shell/envVarTest not found under " << ConformanceDataDir();
  const ShellEnv env = {{"PWD", "/home"}, {"SHELL", "bash"}, {"KOREAN", "한국어"}, {"NULL", ""}};
  ShellLexer lexer('\\');
  int total = 0;
  int passed = 0;
  int line_number = 0;
  for (const std::string& raw : ReadLines(dir / "shell" / "envVarTest")) {
    ++line_number;
    if (raw.starts_with("#")) continue;
    std::string line = TrimSpace(raw);
    if (line.empty()) continue;
    std::vector<std::string> parts = Split(line, '|');
    ASSERT_EQ(parts.size(), 3u) << "envVarTest line " << line_number << ": " << raw;
    std::string platform = TrimSpace(parts[0]);
    std::string source = TrimSpace(parts[1]);
    std::string expected = TrimSpace(parts[2]);
    ASSERT_TRUE(platform == "A" || platform == "U" || platform == "W")
        << "envVarTest line " << line_number << ": bad platform tag " << platform;
    if (platform == "W") continue;
    ++total;
    Result<std::string> got = lexer.ProcessWord(source, env);
    bool ok = expected == "error" ? !got.ok() : got.ok() && *got == expected;
    if (ok) {
      ++passed;
    } else {
      ADD_FAILURE() << "envVarTest line " << line_number << ": " << source << " -> "
                    << (got.ok() ? "\"" + *got + "\"" : "error: " + got.status().message())
                    << ", want " << expected;
    }
  }
  std::cout << "envVarTest conformance: " << passed << "/" << total << " passed" << std::endl;
  EXPECT_GT(total, 200);
  EXPECT_EQ(passed, total);
}

TEST(ShellConformanceTest, WordsTest) {
  fs::path dir = FindConformanceDir();
  ASSERT_FALSE(dir.empty()) << "shell/wordsTest not found under " << ConformanceDataDir();
  ShellEnv env;
  ShellLexer lexer('\\');
  int total = 0;
  int passed = 0;
  int line_number = 0;
  for (const std::string& line : ReadLines(dir / "shell" / "wordsTest")) {
    ++line_number;
    if (line.starts_with("#")) continue;
    if (line.starts_with("ENV ")) {
      std::string_view entry = line;
      entry.remove_prefix(3);
      entry.remove_prefix(std::min(entry.find_first_not_of(' '), entry.size()));
      size_t eq = entry.find('=');
      env[std::string(entry.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(entry.substr(eq + 1));
      continue;
    }
    std::vector<std::string> parts = Split(line, '|');
    ASSERT_EQ(parts.size(), 2u) << "wordsTest line " << line_number << ": " << line;
    std::string source = TrimSpace(parts[0]);
    std::string_view want_text = parts[1];
    want_text.remove_prefix(std::min(want_text.find_first_not_of(' '), want_text.size()));
    std::vector<std::string> expected = Split(want_text, ',');
    ++total;
    Result<std::vector<std::string>> got = lexer.ProcessWords(source, env);
    std::vector<std::string> words = got.ok() ? *got : std::vector<std::string>{"error"};
    if (words == expected) {
      ++passed;
    } else {
      ADD_FAILURE() << "wordsTest line " << line_number << ": " << source << " -> "
                    << Join(words) << ", want " << Join(expected);
    }
  }
  std::cout << "wordsTest conformance: " << passed << "/" << total << " passed" << std::endl;
  EXPECT_GT(total, 20);
  EXPECT_EQ(passed, total);
}

}  // namespace
}  // namespace strata::dockerfile
