#include "common/options.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace strata {
namespace {

struct Args {
  std::vector<std::string> words;
  std::vector<char*> argv;
  explicit Args(std::vector<std::string> w) : words(std::move(w)) {
    for (auto& s : words) argv.push_back(s.data());
  }
  int argc() { return static_cast<int>(argv.size()); }
};

TEST(OptionsTest, PrecedenceFlagEnvFileDefault) {
  std::string path = testing::TempDir() + "/strata-options.toml";
  std::ofstream(path) << "root = \"/from/file\"\nhost = \"tcp://file:1\"\nlevel = \"file\"\n";
  setenv("STRATA_TEST_HOST", "tcp://env:1", 1);
  std::string root, host, level, other, config;
  CLI::App app("test", "t");
  AddOptionTable(app, {{"--root", "STRATA_TEST_ROOT", "/default", "state dir", &root},
                       {"--host", "STRATA_TEST_HOST", "", "coordinator", &host},
                       {"--level", "STRATA_TEST_LEVEL", "info", "log level", &level},
                       {"--other", "", "dflt", "unused", &other}});
  AddConfigFileOption(app, &config);
  Args args({"t", "--config", path, "--level", "flag"});
  EXPECT_EQ(ParseCommandLine(app, args.argc(), args.argv.data()), std::nullopt);
  unsetenv("STRATA_TEST_HOST");
  EXPECT_EQ(root, "/from/file");
  EXPECT_EQ(host, "tcp://env:1");
  EXPECT_EQ(level, "flag");
  EXPECT_EQ(other, "dflt");
}

TEST(OptionsTest, UnknownSubcommandIsUsageError) {
  CLI::App app("test", "t");
  app.add_subcommand("image", "images");
  app.add_subcommand("build", "build");
  app.require_subcommand(1);
  Args args({"t", "imgae"});
  testing::internal::CaptureStderr();
  std::optional<int> rc = ParseCommandLine(app, args.argc(), args.argv.data());
  std::string err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(rc.has_value());
  EXPECT_NE(*rc, 0);
  EXPECT_NE(err.find("Did you mean 'image'"), std::string::npos) << err;
}

TEST(OptionsTest, UnknownFlagGetsSuggestion) {
  CLI::App app("test", "t");
  std::string tag;
  app.add_option("--tag", tag);
  Args args({"t", "--tga", "x"});
  testing::internal::CaptureStderr();
  std::optional<int> rc = ParseCommandLine(app, args.argc(), args.argv.data());
  std::string err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(rc.has_value());
  EXPECT_NE(err.find("Did you mean '--tag'"), std::string::npos) << err;
}

}  // namespace
}  // namespace strata
