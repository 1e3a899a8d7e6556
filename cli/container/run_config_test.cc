#include "cli/container/run_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace strata::cli::container {
namespace {

using Args = std::vector<std::string>;

std::vector<std::string> ArgvOf(const CommandParts& parts) {
  Result<ContainerCommand> c = ResolveCommand(parts);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? c->Argv() : Args{};
}

TEST(ResolveCommandTest, EntrypointPlusCmdWhenNoArgs) {
  CommandParts p;
  p.image_entrypoint = Args{"/bin/echo"};
  p.image_cmd = Args{"Hello, Docker!"};
  EXPECT_EQ(ArgvOf(p), (Args{"/bin/echo", "Hello, Docker!"}));
}

TEST(ResolveCommandTest, RunArgsReplaceCmdNotEntrypoint) {
  CommandParts p;
  p.image_entrypoint = Args{"/bin/echo"};
  p.image_cmd = Args{"Hello, Docker!"};
  p.args = {"Hi, Docker!"};
  Result<ContainerCommand> c = ResolveCommand(p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entrypoint, Args{"/bin/echo"});
  EXPECT_EQ(c->cmd, Args{"Hi, Docker!"});
}

TEST(ResolveCommandTest, EntrypointFlagDropsImageCmd) {
  CommandParts p;
  p.image_entrypoint = Args{"/bin/echo"};
  p.image_cmd = Args{"Hello"};
  p.entrypoint_flag = "/bin/ls";
  EXPECT_EQ(ArgvOf(p), Args{"/bin/ls"});
  p.args = {"-l", "/"};
  EXPECT_EQ(ArgvOf(p), (Args{"/bin/ls", "-l", "/"}));
}

TEST(ResolveCommandTest, EmptyEntrypointFlagClearsIt) {
  CommandParts p;
  p.image_entrypoint = Args{"/bin/echo"};
  p.entrypoint_flag = "";
  p.args = {"sh", "-c", "true"};
  EXPECT_EQ(ArgvOf(p), (Args{"sh", "-c", "true"}));
}

TEST(ResolveCommandTest, ShellFormEntrypointIgnoresArgsThroughSh) {
  // Shell form is stored as ["/bin/sh","-c","..."]: the run's args become
  // $0 and $1 of sh, which the command ignores, as in Docker.
  CommandParts p;
  p.image_entrypoint = Args{"/bin/sh", "-c", "echo hi"};
  p.args = {"ignored"};
  EXPECT_EQ(ArgvOf(p), (Args{"/bin/sh", "-c", "echo hi", "ignored"}));
}

TEST(ResolveCommandTest, NothingToRunIsAnError) {
  CommandParts p;
  Result<ContainerCommand> c = ResolveCommand(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("No command specified"), std::string::npos);
  p.image_cmd = Args{};
  EXPECT_FALSE(ResolveCommand(p).ok());
}

TEST(MergeEnvTest, LaterValuesWinAndKeepTheirPlace) {
  auto lookup = [](const std::string& key) -> std::optional<std::string> {
    if (key == "HOSTVAR") return std::string("from-host");
    return std::nullopt;
  };
  Result<Args> env = MergeEnv({"PATH=/bin", "A=1"}, {"A=file", "B=file"},
                              {"B=flag", "C=3", "HOSTVAR", "UNSET"}, lookup);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*env, (Args{"PATH=/bin", "A=file", "B=flag", "C=3", "HOSTVAR=from-host"}));
}

TEST(MergeEnvTest, EmptyKeyIsRejected) {
  auto none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  EXPECT_FALSE(MergeEnv({}, {}, {"=x"}, none).ok());
}

TEST(ReadEnvFileTest, SkipsCommentsAndBlankLines) {
  std::string path = ::testing::TempDir() + "/env-" + std::to_string(getpid());
  std::ofstream(path) << "# comment\n\n  A=1\nB\r\nC=with spaces \n";
  Result<Args> lines = ReadEnvFile(path);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(*lines, (Args{"A=1", "B", "C=with spaces "}));
  EXPECT_TRUE(ReadEnvFile(path + "-missing").status().IsNotFound());
  unlink(path.c_str());
}

TEST(ParsePublishTest, SamePortOnBothSidesIsAccepted) {
  EXPECT_EQ(*ParsePublish("80:80"), "0.0.0.0:80->80/tcp");
  EXPECT_EQ(*ParsePublish("127.0.0.1:8080:8080/udp"), "127.0.0.1:8080->8080/udp");
}

TEST(ParsePublishTest, RemappingSaysWhy) {
  Result<std::string> r = ParsePublish("8080:80");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("host network"), std::string::npos);
  EXPECT_NE(r.status().message().find("-p 80:80"), std::string::npos);
  EXPECT_FALSE(ParsePublish("80").ok());  // a random host port
  EXPECT_FALSE(ParsePublish("a:b").ok());
  EXPECT_FALSE(ParsePublish("80:80/xyz").ok());
}

TEST(NamesTest, RandomNamesAreAdjectiveUnderscoreSurname) {
  size_t n = 0;
  std::string name = RandomName([&](size_t bound) { return (n++) % bound; });
  EXPECT_EQ(name, "admiring_babbage");
  EXPECT_TRUE(ValidName(name));
  EXPECT_FALSE(ValidName("/x"));
  EXPECT_FALSE(ValidName("_x"));
  EXPECT_FALSE(ValidName(""));
  EXPECT_TRUE(ValidName("web-1.a_b"));
}

TEST(StartFailureExitCodeTest, DockerCliRules) {
  EXPECT_EQ(
      StartFailureExitCode("exec: \"/no/such/cmd\": stat /no/such/cmd: no such file or directory"),
      127);
  EXPECT_EQ(StartFailureExitCode("exec: \"nosuch\": executable file not found in $PATH"), 127);
  EXPECT_EQ(StartFailureExitCode("exec: \"/etc/passwd\": permission denied"), 126);
  EXPECT_EQ(StartFailureExitCode("exec: \"/etc\": is a directory"), 126);
  EXPECT_EQ(StartFailureExitCode("unable to apply cgroup configuration"), 125);
}

TEST(UnknownFlagMessageTest, DockerWordingAndNoneForArguments) {
  EXPECT_EQ(UnknownFlagMessage("--frobnicate=1", "run"),
            "unknown flag: --frobnicate\nSee 'strata run --help'.");
  EXPECT_EQ(UnknownFlagMessage("-X", "exec"),
            "unknown shorthand flag: 'X' in -X\nSee 'strata exec --help'.");
  EXPECT_EQ(UnknownFlagMessage("busybox", "run"), "");
  EXPECT_EQ(UnknownFlagMessage("-", "run"), "");
}

TEST(WithDefaultTagTest, AddsLatestOnlyWithoutTagOrDigest) {
  EXPECT_EQ(WithDefaultTag("busybox"), "busybox:latest");
  EXPECT_EQ(WithDefaultTag("busybox:1.36"), "busybox:1.36");
  EXPECT_EQ(WithDefaultTag("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_EQ(WithDefaultTag("app@sha256:abcd"), "app@sha256:abcd");
}

}  // namespace
}  // namespace strata::cli::container
