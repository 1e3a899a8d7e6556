#include "coordinator/config_apply.h"

#include <gtest/gtest.h>

namespace strata::coordinator {
namespace {

using Args = std::vector<std::string>;

TEST(ConfigApplyTest, EntrypointResetsInheritedCmd) {
  ConfigState state;
  state.config.config.cmd = Args{"sh"};  // from the base image
  ASSERT_TRUE(ApplyChanges({"ENTRYPOINT [\"/bin/echo\"]"}, &state).ok());
  EXPECT_EQ(state.config.config.entrypoint, Args{"/bin/echo"});
  EXPECT_FALSE(state.config.config.cmd.has_value());
}

TEST(ConfigApplyTest, CmdSetBeforeEntrypointIsKept) {
  ConfigState state;
  ASSERT_TRUE(ApplyChanges({"CMD [\"Hello, Docker!\"]", "ENTRYPOINT [\"/bin/echo\"]"}, &state).ok());
  EXPECT_EQ(state.config.config.cmd, Args{"Hello, Docker!"});
}

TEST(ConfigApplyTest, ShellFormGoesThroughShell) {
  ConfigState state;
  ASSERT_TRUE(ApplyChanges({"CMD echo \"Hello, Docker!\""}, &state).ok());
  EXPECT_EQ(state.config.config.cmd, (Args{"/bin/sh", "-c", "echo \"Hello, Docker!\""}));
  ASSERT_TRUE(ApplyChanges({"ENTRYPOINT exec top -b"}, &state).ok());
  EXPECT_EQ(state.config.config.entrypoint, (Args{"/bin/sh", "-c", "exec top -b"}));
}

TEST(ConfigApplyTest, EnvExpandsAndReplaces) {
  ConfigState state;
  ASSERT_TRUE(ApplyChanges({"ENV A=1 B=2", "ENV C=${A}x", "ENV A=3"}, &state).ok());
  EXPECT_EQ(state.config.config.env, (Args{"A=3", "B=2", "C=1x"}));
}

TEST(ConfigApplyTest, PortsWorkdirUserVolumeLabelStopsignal) {
  ConfigState state;
  ASSERT_TRUE(ApplyChanges({"EXPOSE 80 53/udp", "WORKDIR /app", "WORKDIR sub", "USER app:staff",
                            "VOLUME /data", "LABEL a=b", "STOPSIGNAL SIGTERM"},
                           &state)
                  .ok());
  const auto& c = state.config.config;
  EXPECT_EQ(c.exposed_ports, (std::set<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(c.working_dir, "/app/sub");
  EXPECT_EQ(c.user, "app:staff");
  EXPECT_EQ(c.volumes, std::set<std::string>{"/data"});
  EXPECT_EQ(c.labels.at("a"), "b");
  EXPECT_EQ(c.stop_signal, "SIGTERM");
}

TEST(ConfigApplyTest, WorkdirIsStoredCleanedAndNeverAboveTheRoot) {
  ConfigState state;
  ASSERT_TRUE(ApplyChanges({"WORKDIR ../../../../tmp/x"}, &state).ok());
  EXPECT_EQ(state.config.config.working_dir, "/tmp/x");
  ASSERT_TRUE(ApplyChanges({"WORKDIR ./a//b/../c/"}, &state).ok());
  EXPECT_EQ(state.config.config.working_dir, "/tmp/x/a/c");
  ASSERT_TRUE(ApplyChanges({"WORKDIR /../../etc/.."}, &state).ok());
  EXPECT_EQ(state.config.config.working_dir, "/");
}

TEST(ConfigApplyTest, RejectsFileChangesAndGarbage) {
  ConfigState state;
  Status s = ApplyChanges({"RUN make"}, &state);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("--change 'RUN make'"), std::string::npos) << s.message();
  EXPECT_FALSE(ApplyChanges({"FROBNICATE x"}, &state).ok());
  EXPECT_FALSE(ApplyChanges({"CMD a\nCMD b"}, &state).ok());
}

}  // namespace
}  // namespace strata::coordinator

namespace strata::coordinator {
namespace {

TEST(ConfigApplyTest, ExpandedValuesAreKeptAsGiven) {
  ConfigState state;
  state.expand_values = false;  // a build's steps, expanded by the planner
  ASSERT_TRUE(ApplyChanges({"ENV A=1", "ENV B=$A", "USER $A", "WORKDIR /x/$A"}, &state).ok());
  EXPECT_EQ(state.config.config.env, (Args{"A=1", "B=$A"}));
  EXPECT_EQ(state.config.config.user, "$A");
  EXPECT_EQ(state.config.config.working_dir, "/x/$A");
}

}  // namespace
}  // namespace strata::coordinator
