#include "dockerfile/plan.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

class PlanTest : public ::testing::Test {
 protected:
  Result<BuildPlan> PlanText(std::string_view text) { return ParseAndPlan(text, opts_); }

  BuildPlan MustPlan(std::string_view text) {
    auto plan = PlanText(text);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    return plan.ok() ? *plan : BuildPlan{};
  }

  std::string ErrorOf(std::string_view text) {
    auto plan = PlanText(text);
    return plan.ok() ? "OK" : plan.status().message();
  }

  // The expanded text of every step of stage `s`.
  static std::vector<std::string> Texts(const BuildPlan& plan, int s) {
    std::vector<std::string> out;
    for (const BuildStep& step : plan.stages[s].steps) out.push_back(step.text);
    return out;
  }

  PlanOptions opts_;
};

// A scratch stage sees the PATH BuildKit gives its config.
TEST_F(PlanTest, ScratchStageSeesTheDefaultPath) {
  BuildPlan plan = MustPlan("FROM scratch\nENV P=$PATH\n");
  EXPECT_EQ(Texts(plan, 0), std::vector<std::string>{
                                "ENV P=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
}

// An escaped wildcard character in a COPY/ADD source reaches the matcher
// escaped; other escapes act as usual.
TEST_F(PlanTest, CopySourcesKeepEscapedWildcards) {
  BuildPlan plan = MustPlan(
      "FROM scratch\nARG X=v\nCOPY n\\?pe st\\*uv a\\[1] b\\\\c $X\\? \"q\\?\" /dst/\n"
      "ADD n\\?pe /dst/\n");
  const auto* copy = plan.stages[0].steps[1].command.As<CopyCommand>();
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->sources, (std::vector<std::string>{"n\\?pe", "st\\*uv", "a\\[1]", "b\\\\c",
                                                     "v\\?", "q\\?"}));
  EXPECT_EQ(copy->dest, "/dst/");
  const auto* add = plan.stages[0].steps[2].command.As<AddCommand>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->sources, std::vector<std::string>{"n\\?pe"});
}

TEST_F(PlanTest, GlobalArgsAreUsableInFrom) {
  BuildPlan plan = MustPlan("ARG TAG=3.19\nARG IMG=alpine:${TAG}\nFROM $IMG\n");
  ASSERT_EQ(plan.stages.size(), 1u);
  EXPECT_EQ(plan.stages[0].base.kind, BaseKind::kImage);
  EXPECT_EQ(plan.stages[0].base.image, "alpine:3.19");
  EXPECT_EQ(plan.stages[0].from_text, "FROM alpine:3.19");

  opts_.build_args = {{"TAG", "3.20"}};
  EXPECT_EQ(MustPlan("ARG TAG=3.19\nFROM alpine:$TAG\n").stages[0].base.image, "alpine:3.20");
}

TEST_F(PlanTest, BaseImageEnvAndWorkdirReachExpansion) {
  opts_.base_image = [](const std::string& image) -> std::optional<BaseImageScope> {
    if (image != "golang:1") return std::nullopt;
    return BaseImageScope{{"GOPATH=/go", "PATH=/go/bin"}, "/go", {}};
  };
  BuildPlan plan = MustPlan(
      "FROM golang:1\nWORKDIR $GOPATH/src\nWORKDIR app\nARG GOPATH=/ignored\nCOPY x $GOPATH/\n"
      "FROM other\nWORKDIR ${GOPATH:-none}\n");
  // The image's ENV is seen, and wins over a later ARG of the same name.
  EXPECT_EQ(Texts(plan, 0), (std::vector<std::string>{"WORKDIR /go/src", "WORKDIR app",
                                                      "ARG GOPATH=/ignored", "COPY x /go/"}));
  EXPECT_EQ(Texts(plan, 1), std::vector<std::string>{"WORKDIR none"});
}

TEST_F(PlanTest, GlobalArgIsVisibleInStageOnlyWhenRedeclared) {
  BuildPlan plain = MustPlan("ARG V=1\nFROM scratch\nWORKDIR /x$V\n");
  EXPECT_EQ(Texts(plain, 0), std::vector<std::string>{"WORKDIR /x"});
  BuildPlan redeclared = MustPlan("ARG V=1\nFROM scratch\nARG V\nWORKDIR /x$V\n");
  EXPECT_EQ(Texts(redeclared, 0), (std::vector<std::string>{"ARG V=1", "WORKDIR /x1"}));
}

TEST_F(PlanTest, StageArgDefaultAndBuildArgOverride) {
  const char* text = "FROM scratch\nARG A=default B\nLABEL a=$A b=x${B}x\n";
  BuildPlan plan = MustPlan(text);
  EXPECT_EQ(plan.stages[0].steps[1].text, "LABEL a=default b=xx");
  opts_.build_args = {{"A", "cli"}, {"B", "bee"}};
  plan = MustPlan(text);
  EXPECT_EQ(plan.stages[0].steps[1].text, "LABEL a=cli b=xbeex");
  EXPECT_TRUE(plan.unused_build_args.empty());
}

TEST_F(PlanTest, BuildArgDoesNotOverrideUndeclaredNames) {
  opts_.build_args = {{"X", "1"}, {"Y", "2"}};
  BuildPlan plan = MustPlan("FROM scratch\nARG X\nENV E=$X$Y\n");
  EXPECT_EQ(plan.stages[0].steps[1].text, "ENV E=1");
  EXPECT_EQ(plan.unused_build_args, std::vector<std::string>{"Y"});
}

TEST_F(PlanTest, ProxyArgsNeedNoDeclaration) {
  opts_.build_args = {{"HTTP_PROXY", "http://proxy:3128"}, {"no_proxy", "localhost"}};
  BuildPlan plan = MustPlan("FROM scratch\nRUN curl $HTTP_PROXY\nWORKDIR /$HTTP_PROXY\n");
  EXPECT_TRUE(plan.unused_build_args.empty());
  EXPECT_EQ(plan.proxy_env.at("HTTP_PROXY"), "http://proxy:3128");
  EXPECT_EQ(plan.proxy_env.at("no_proxy"), "localhost");
  // Not expanded by the builder unless declared; RUN leaves it to the shell.
  EXPECT_EQ(Texts(plan, 0), (std::vector<std::string>{"RUN curl $HTTP_PROXY", "WORKDIR /"}));
}

TEST_F(PlanTest, AutomaticPlatformArgs) {
  opts_.target_platform = "linux/arm64";
  BuildPlan plan = MustPlan(
      "FROM --platform=$BUILDPLATFORM alpine AS build\n"
      "WORKDIR /$TARGETARCH\n"
      "ARG TARGETARCH TARGETPLATFORM BUILDOS\n"
      "WORKDIR /$TARGETARCH/$BUILDOS\n"
      "FROM alpine\n"
      "ARG TARGETSTAGE\n"
      "LABEL stage=$TARGETSTAGE\n");
  EXPECT_EQ(plan.stages[0].platform, "linux/amd64");
  EXPECT_EQ(plan.stages[1].platform, "linux/arm64");
  EXPECT_EQ(plan.stages[0].steps[0].text, "WORKDIR /");
  EXPECT_EQ(plan.stages[0].steps[1].text,
            "ARG TARGETARCH=arm64 TARGETPLATFORM=linux/arm64 BUILDOS=linux");
  EXPECT_EQ(plan.stages[0].steps[2].text, "WORKDIR /arm64/linux");
  EXPECT_EQ(plan.stages[1].steps[1].text, "LABEL stage=default");
  EXPECT_EQ(plan.global_args.at("TARGETPLATFORM"), "linux/arm64");
}

TEST_F(PlanTest, EnvFeedsLaterExpansionAndBeatsArg) {
  BuildPlan plan = MustPlan(
      "FROM scratch\n"
      "ENV APP=/app\n"
      "WORKDIR $APP/src\n"
      "ENV APP=/srv OLD=$APP\n"
      "ARG V=arg\n"
      "ENV V=env\n"
      "ARG V=arg2\n"
      "LABEL v=$V old=$OLD\n"
      "RUN echo $APP\n");
  EXPECT_EQ(Texts(plan, 0),
            (std::vector<std::string>{"ENV APP=/app", "WORKDIR /app/src", "ENV APP=/srv OLD=/app",
                                      "ARG V=arg", "ENV V=env", "ARG V=arg2",
                                      "LABEL v=env old=/app", "RUN echo $APP"}));
  const BuildStep& workdir = plan.stages[0].steps[1];
  EXPECT_TRUE(workdir.changes_filesystem);
  EXPECT_EQ(workdir.changes, (std::vector<ConfigChange>{{"WorkingDir", "/app/src"}}));
  EXPECT_EQ(plan.stages[0].steps[2].changes,
            (std::vector<ConfigChange>{{"Env", "APP=/srv"}, {"Env", "OLD=/app"}}));
}

TEST_F(PlanTest, MetadataChanges) {
  BuildPlan plan = MustPlan(
      "FROM scratch\nWORKDIR app\nWORKDIR ../lib\nEXPOSE 80 53/udp\nUSER nobody\n"
      "CMD echo hi\nSHELL [\"/bin/bash\", \"-c\"]\nENTRYPOINT run\nVOLUME /data\n"
      "STOPSIGNAL SIGKILL\n");
  const auto& steps = plan.stages[0].steps;
  EXPECT_EQ(steps[0].changes[0], (ConfigChange{"WorkingDir", "/app"}));
  EXPECT_EQ(steps[1].changes[0], (ConfigChange{"WorkingDir", "/lib"}));
  EXPECT_EQ(steps[2].changes,
            (std::vector<ConfigChange>{{"ExposedPorts", "80/tcp"}, {"ExposedPorts", "53/udp"}}));
  EXPECT_EQ(steps[3].changes[0], (ConfigChange{"User", "nobody"}));
  EXPECT_EQ(steps[4].changes[0], (ConfigChange{"Cmd", "[\"/bin/sh\",\"-c\",\"echo hi\"]"}));
  EXPECT_EQ(steps[6].changes[0], (ConfigChange{"Entrypoint", "[\"/bin/bash\",\"-c\",\"run\"]"}));
  EXPECT_EQ(steps[7].changes[0], (ConfigChange{"Volumes", "/data"}));
  EXPECT_EQ(steps[8].changes[0], (ConfigChange{"StopSignal", "SIGKILL"}));
  EXPECT_FALSE(steps[8].changes_filesystem);
}

TEST_F(PlanTest, HeredocRunIsRetained) {
  BuildPlan plan =
      MustPlan("FROM scratch\nENV X=1\nRUN <<EOF\necho $X\nEOF\nCOPY <<F /f\nx=$X\nF\n");
  const BuildStep& run = plan.stages[0].steps[1];
  EXPECT_EQ(run.text, "RUN <<EOF");
  EXPECT_EQ(run.start_line, 3);
  EXPECT_EQ(run.end_line, 5);
  const RunCommand* cmd = run.command.As<RunCommand>();
  ASSERT_NE(cmd, nullptr);
  ASSERT_EQ(cmd->command.files.size(), 1u);
  EXPECT_EQ(cmd->command.files[0].content, "echo $X\n");  // the shell expands it
  const CopyCommand* copy = plan.stages[0].steps[2].command.As<CopyCommand>();
  ASSERT_NE(copy, nullptr);
  ASSERT_EQ(copy->contents.size(), 1u);
  EXPECT_EQ(copy->contents[0].data, "x=1\n");  // unquoted COPY heredoc: expanded
}

TEST_F(PlanTest, ExpandedOriginalOfCopyAndMount) {
  BuildPlan plan = MustPlan(
      "FROM alpine AS build\n"
      "FROM alpine\n"
      "ARG SRC=/out MODE=0755 CACHE=/root/.cache\n"
      "COPY --from=build --chmod=$MODE $SRC /app\n"
      "RUN --mount=type=cache,target=$CACHE make\n");
  EXPECT_EQ(plan.stages[1].steps[1].text, "COPY --from=build --chmod=0755 /out /app");
  const BuildStep& run = plan.stages[1].steps[2];
  EXPECT_EQ(run.text, "RUN --mount=type=cache,target=/root/.cache make");
  EXPECT_EQ(run.command.As<RunCommand>()->mounts[0].target, "/root/.cache");
  EXPECT_EQ(plan.stages[1].depends_on, std::vector<int>{0});
}

TEST_F(PlanTest, StageReferences) {
  BuildPlan plan = MustPlan(
      "FROM alpine AS Build\n"
      "FROM BUILD AS test\n"
      "FROM scratch\n"
      "COPY --from=0 /a /a\n"
      "COPY --from=busybox:1.36 /bin/sh /sh\n"
      "RUN --mount=from=test,target=/t true\n");
  ASSERT_EQ(plan.stages.size(), 3u);
  EXPECT_EQ(plan.stages[0].name, "build");
  EXPECT_EQ(plan.stages[1].base.kind, BaseKind::kStage);
  EXPECT_EQ(plan.stages[1].base.stage, 0);
  EXPECT_EQ(plan.stages[2].base.kind, BaseKind::kScratch);
  EXPECT_EQ(plan.stages[2].depends_on, (std::vector<int>{0, 1}));
  EXPECT_EQ(plan.stages[2].image_sources, std::vector<std::string>{"busybox:1.36"});
  EXPECT_EQ(plan.target, 2);
  EXPECT_TRUE(plan.stages[0].needed && plan.stages[1].needed && plan.stages[2].needed);
}

TEST_F(PlanTest, TargetPrunesUnneededStages) {
  const char* text =
      "FROM alpine AS base\n"
      "FROM base AS build\n"
      "FROM alpine AS lint\n"
      "FROM scratch AS final\n"
      "COPY --from=build /x /x\n";
  BuildPlan all = MustPlan(text);
  EXPECT_EQ(all.target, 3);
  EXPECT_TRUE(all.stages[0].needed);
  EXPECT_TRUE(all.stages[1].needed);
  EXPECT_FALSE(all.stages[2].needed);
  opts_.target = "BUILD";
  BuildPlan build = MustPlan(text);
  EXPECT_EQ(build.target, 1);
  EXPECT_TRUE(build.stages[0].needed);
  EXPECT_TRUE(build.stages[1].needed);
  EXPECT_FALSE(build.stages[2].needed);
  EXPECT_FALSE(build.stages[3].needed);
}

TEST_F(PlanTest, PrunedStageErrorsAreWarnings) {
  opts_.target = "ok";
  BuildPlan plan =
      MustPlan("FROM alpine AS bad\nARG M=999\nCOPY --chmod=$M a b\nFROM alpine AS ok\n");
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_EQ(plan.warnings[0].rfind("Dockerfile:3: (stage bad is not needed) invalid chmod", 0), 0u)
      << plan.warnings[0];
}

TEST_F(PlanTest, OnbuildIsRecordedAndInherited) {
  BuildPlan plan = MustPlan(
      "FROM alpine AS base\n"
      "ONBUILD RUN make\n"
      "ONBUILD COPY --from=tools /t /t\n"
      "FROM alpine AS tools\n"
      "FROM base\n"
      "RUN true\n");
  EXPECT_EQ(plan.stages[0].onbuild_triggers,
            (std::vector<std::string>{"RUN make", "COPY --from=tools /t /t"}));
  EXPECT_EQ(plan.stages[0].steps[0].changes[0], (ConfigChange{"OnBuild", "RUN make"}));
  const BuildStage& child = plan.stages[2];
  ASSERT_EQ(child.steps.size(), 3u);
  EXPECT_TRUE(child.steps[0].from_onbuild);
  EXPECT_EQ(child.steps[0].text, "RUN make");
  EXPECT_EQ(child.steps[0].start_line, 5);
  EXPECT_EQ(child.steps[1].text, "COPY --from=tools /t /t");
  EXPECT_FALSE(child.steps[2].from_onbuild);
  EXPECT_EQ(child.depends_on, (std::vector<int>{0, 1}));
}

TEST_F(PlanTest, ChildStageInheritsVariables) {
  BuildPlan plan = MustPlan("FROM alpine AS base\nENV D=/data\nFROM base\nWORKDIR $D\n");
  EXPECT_EQ(Texts(plan, 1), std::vector<std::string>{"WORKDIR /data"});
}

// Errors: every one reads FILE:LINE: message.

TEST_F(PlanTest, ErrorUnknownInstruction) {
  EXPECT_EQ(ErrorOf("FROM alpine\nFORM x\n"),
            "Dockerfile:2: unknown instruction: FORM (did you mean FROM?)");
}

TEST_F(PlanTest, ErrorUnknownFlagAndBadValues) {
  opts_.filename = "build/Dockerfile.dev";
  EXPECT_EQ(ErrorOf("FROM alpine\nCOPY --fro=a b c\n"),
            "build/Dockerfile.dev:2: unknown flag: --fro (did you mean --from?)");
  EXPECT_EQ(ErrorOf("FROM alpine\n\nRUN --network=bridge x\n"),
            "build/Dockerfile.dev:3: invalid network mode \"bridge\" (want default, none or host)");
  EXPECT_EQ(ErrorOf("FROM alpine\nHEALTHCHECK --interval=1x CMD true\n"),
            "build/Dockerfile.dev:2: invalid --interval: time: unknown unit \"x\" in duration "
            "\"1x\"");
  EXPECT_EQ(ErrorOf("FROM alpine\nARG M=8\nCOPY --chmod=$M a b\n"),
            "build/Dockerfile.dev:3: invalid chmod parameter: '8'. it should be octal string and "
            "between 0 and 07777");
}

TEST_F(PlanTest, ErrorMissingArguments) {
  EXPECT_EQ(ErrorOf("FROM alpine\nCOPY onlyone\n"),
            "Dockerfile:2: COPY requires at least two arguments, but only one was provided. "
            "Destination could not be determined");
}

TEST_F(PlanTest, ErrorEnvWithoutValue) {
  std::string error = ErrorOf("FROM busybox\n\nENV PATH\n");
  EXPECT_EQ(error.rfind("Dockerfile:3: ", 0), 0u) << error;
  EXPECT_NE(error.find("ENV"), std::string::npos) << error;
}

TEST_F(PlanTest, ErrorEmptyDockerfile) {
  std::string error = ErrorOf("");
  EXPECT_EQ(error.rfind("Dockerfile:1: ", 0), 0u) << error;
  EXPECT_NE(error.find("file with no instructions"), std::string::npos) << error;
  EXPECT_EQ(Plan(Ast{}, opts_).status().message(), "Dockerfile:1: file with no instructions");
}

TEST_F(PlanTest, ErrorInstructionBeforeFrom) {
  EXPECT_EQ(ErrorOf("ARG A=1\nRUN echo\nFROM alpine\n"),
            "Dockerfile:2: no build stage in current context: RUN must follow a FROM "
            "instruction (only ARG may come before the first FROM)");
}

TEST_F(PlanTest, ErrorUnknownStageIndex) {
  EXPECT_EQ(
      ErrorOf("FROM alpine\nFROM alpine\nCOPY --from=2 /a /b\n"),
      "Dockerfile:3: COPY --from=2: invalid stage index 2 (the Dockerfile has stages 0 to 1)");
}

TEST_F(PlanTest, ErrorStageIndexTooLargeForAnInteger) {
  // std::stoi used to throw here and take the coordinator down.
  EXPECT_EQ(ErrorOf("FROM alpine\nCOPY --from=99999999999 /a /b\n"),
            "Dockerfile:2: COPY --from=99999999999: invalid stage index 99999999999 (the "
            "Dockerfile has stages 0 to 0)");
}

TEST_F(PlanTest, ErrorFromNeitherStageNorImage) {
  EXPECT_EQ(ErrorOf("FROM alpine\nCOPY --from=Build_Stage /a /b\n"),
            "Dockerfile:2: COPY --from=Build_Stage: \"Build_Stage\" is neither a build stage nor "
            "a valid image reference (invalid reference format \"Build_Stage\": repository name "
            "must be lowercase)");
  EXPECT_EQ(ErrorOf("FROM Alpine\n"),
            "Dockerfile:1: FROM Alpine: invalid reference format \"Alpine\": repository name "
            "must be lowercase");
}

TEST_F(PlanTest, ErrorCycle) {
  EXPECT_EQ(ErrorOf("FROM alpine AS a\nCOPY --from=b /x /x\nFROM a AS b\n"),
            "Dockerfile:3: circular dependency detected between stages: a -> b -> a");
  EXPECT_EQ(ErrorOf("FROM alpine AS a\nCOPY --from=a /x /x\n"),
            "Dockerfile:2: circular dependency detected between stages: a -> a");
}

TEST_F(PlanTest, ErrorForwardCopy) {
  EXPECT_EQ(ErrorOf("FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nFROM a\n"),
            "Dockerfile:2: cannot copy from stage \"b\", it needs to be defined before current "
            "stage \"a\"");
}

TEST_F(PlanTest, ErrorUnknownTarget) {
  opts_.target = "tset";
  EXPECT_EQ(ErrorOf("FROM alpine AS build\nFROM alpine AS test\nFROM scratch\n"),
            "Dockerfile: target stage \"tset\" could not be found (did you mean test?); the "
            "stages are: build test");
}

// Found by plan_fuzz: a malformed --platform was the one error without the
// "FILE:" prefix plan.h promises.
TEST_F(PlanTest, ErrorBadPlatformNamesTheFile) {
  opts_.filename = "ctx/Dockerfile.dev";
  opts_.target_platform = "bad//";
  EXPECT_EQ(ErrorOf("FROM n\n").rfind("ctx/Dockerfile.dev: target platform: ", 0), 0u)
      << ErrorOf("FROM n\n");
  opts_.target_platform = "";
  opts_.build_platform = "/";
  EXPECT_EQ(ErrorOf("FROM n\n").rfind("ctx/Dockerfile.dev: build platform: ", 0), 0u)
      << ErrorOf("FROM n\n");
}

TEST_F(PlanTest, ErrorBlankBaseAndLexer) {
  EXPECT_EQ(ErrorOf("ARG IMG\nFROM $IMG\n"), "Dockerfile:2: base name ($IMG) should not be blank");
  std::string error = ErrorOf("FROM alpine\nWORKDIR ${X\n");
  EXPECT_EQ(error.rfind("Dockerfile:2: ", 0), 0u) << error;
}

}  // namespace
}  // namespace strata::dockerfile
