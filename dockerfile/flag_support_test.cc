#include "dockerfile/flag_support.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

// The message CheckStepFlags gives for the first step of `dockerfile`'s
// last stage, "OK" when strata carries out all its flags.
std::string Verdict(const std::string& dockerfile) {
  Result<BuildPlan> plan = ParseAndPlan(dockerfile, PlanOptions{});
  if (!plan.ok()) return "plan: " + plan.status().message();
  Status s = CheckStepFlags(plan->stages.back().steps.front());
  return s.ok() ? "OK" : s.message();
}

TEST(FlagSupportTest, FlagsParsedButNotCarriedOutRefuse) {
  EXPECT_EQ(Verdict("FROM scratch\nRUN --mount=type=cache,target=/c make\n"),
            "RUN --mount is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nRUN --security=insecure make\n"),
            "RUN --security=insecure is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nADD --keep-git-dir=true https://h/r.git /src\n"),
            "ADD --keep-git-dir is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nADD https://github.com/o/r.git#main /src\n"),
            "ADD of a Git repository (https://github.com/o/r.git#main) is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nADD git@github.com:o/r.git /src\n"),
            "ADD of a Git repository (git@github.com:o/r.git) is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nCOPY --parents x*/./a /a/\n"),
            "COPY --parents with a wildcard before the /./ pivot (x*/./a) is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nCOPY --parents a/**/b /a/\n"),
            "COPY --parents with ** (a/**/b) is not supported yet");
  EXPECT_EQ(Verdict("FROM scratch\nCOPY --chmod=u+x a /a\n"),
            "COPY --chmod=u+x (a symbolic mode) is not supported yet: write the mode in octal, "
            "e.g. --chmod=755");
  EXPECT_EQ(Verdict("FROM scratch AS s\nFROM scratch\nCOPY --from=s --exclude=*.md / /d/\n"),
            "COPY --exclude together with --from is not supported yet: --exclude applies to "
            "sources from the build context only");
}

TEST(FlagSupportTest, FlagsCarriedOutPass) {
  EXPECT_EQ(Verdict("FROM scratch\nRUN --network=none make\n"), "OK");
  EXPECT_EQ(Verdict("FROM scratch\nCOPY --parents a/b/*.c x/./y /a/\n"), "OK");
  EXPECT_EQ(Verdict("FROM scratch\nCOPY --parents --exclude=*.md x/./y /a/\n"), "OK");
  EXPECT_EQ(Verdict("FROM scratch\nRUN --network=host --security=sandbox make\n"), "OK");
  EXPECT_EQ(Verdict("FROM scratch\nCOPY --chown=1:2 --chmod=0755 --link --exclude=*.md a /a\n"),
            "OK");
  EXPECT_EQ(Verdict("FROM scratch\nADD --checksum=sha256:0000000000000000000000000000000000000000"
                    "000000000000000000000000 https://h/f.tar /f\n"),
            "OK");
  EXPECT_EQ(Verdict("FROM scratch\nADD --unpack=false --exclude=x --chmod=644 https://h/x.gitignore /f\n"),
            "OK");
}

TEST(FlagSupportTest, OnlyTheBuildPlatformRunsNatively) {
  PlanOptions opts;
  Result<BuildPlan> plan = ParseAndPlan(
      "FROM --platform=linux/arm64 scratch AS a\nFROM --platform=$BUILDPLATFORM scratch AS b\n"
      "FROM scratch\n",
      opts);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  Status arm = CheckStagePlatform(plan->stages[0], "linux/amd64");
  EXPECT_EQ(arm.message(),
            "FROM --platform=linux/arm64 (or build --platform) is not supported yet: strata runs "
            "build steps natively, on linux/amd64 only");
  EXPECT_TRUE(CheckStagePlatform(plan->stages[1], "linux/amd64").ok());
  EXPECT_TRUE(CheckStagePlatform(plan->stages[2], "linux/amd64").ok());
  opts.target_platform = "linux/x86_64";
  plan = ParseAndPlan("FROM scratch\n", opts);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(CheckStagePlatform(plan->stages[0], "linux/amd64").ok());
}

}  // namespace
}  // namespace strata::dockerfile
