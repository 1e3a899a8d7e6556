#include "cli/version_command.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

const BuildInfo kInfo{"0.1.0", "2e9bf2c", "Thu Dec  3 08:47:24 2026", "gcc 12.2.0", "linux/amd64"};

TEST(VersionTest, DashDashVersionLine) {
  EXPECT_EQ(VersionLine(kInfo), "strata version 0.1.0, build 2e9bf2c");
}

TEST(VersionTest, SectionsInDockersLayout) {
  EXPECT_EQ(VersionSection("Client:", kInfo, 1, false),
            "Client:\n"
            " Version:           0.1.0\n"
            " API version:       1\n"
            " Compiler:          gcc 12.2.0\n"
            " Git commit:        2e9bf2c\n"
            " Built:             Thu Dec  3 08:47:24 2026\n"
            " OS/Arch:           linux/amd64\n");
  EXPECT_EQ(VersionSection("Server:", kInfo, 1, true),
            "Server:\n"
            " Coordinator:\n"
            "  Version:          0.1.0\n"
            "  API version:      1\n"
            "  Compiler:         gcc 12.2.0\n"
            "  Git commit:       2e9bf2c\n"
            "  Built:            Thu Dec  3 08:47:24 2026\n"
            "  OS/Arch:          linux/amd64\n");
}

TEST(VersionTest, BuildInfoIsFilledIn) {
  const BuildInfo& info = GetBuildInfo();
  EXPECT_FALSE(info.version.empty());
  EXPECT_FALSE(info.git_commit.empty());
  EXPECT_FALSE(info.built.empty());
  EXPECT_EQ(info.os_arch.substr(0, 6), "linux/");
}

}  // namespace
}  // namespace strata::cli
