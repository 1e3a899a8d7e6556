#include "dockerfile/onbuild_trigger.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

TEST(OnbuildTriggerTest, TriggersBecomeStepsSeeingTheImageEnvAndEachOther) {
  TriggerScope scope;
  scope.env = {"APP=/srv/app"};
  Result<std::vector<BuildStep>> steps =
      ExpandOnbuildTriggers({"ENV DEST=$APP/src", "COPY . $DEST", "RUN make -C $DEST"}, scope, 4);
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  ASSERT_EQ(steps->size(), 3u);
  const auto* copy = (*steps)[1].command.As<CopyCommand>();
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->dest, "/srv/app/src");
  EXPECT_TRUE((*steps)[1].changes_filesystem);
  EXPECT_EQ((*steps)[2].text, "RUN make -C $DEST");  // RUN keeps its text
  for (const BuildStep& step : *steps) {
    EXPECT_TRUE(step.from_onbuild);
    EXPECT_EQ(step.start_line, 4);
  }
}

TEST(OnbuildTriggerTest, ArgTakesTheBuildArg) {
  TriggerScope scope;
  scope.build_args = {{"V", "2"}};
  Result<std::vector<BuildStep>> steps = ExpandOnbuildTriggers({"ARG V=1", "LABEL v=$V"}, scope, 1);
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[1].text, "LABEL v=2");
}

TEST(OnbuildTriggerTest, RefusesWhatDockerRefuses) {
  struct Case {
    std::string trigger;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
           {"FROM alpine", "FROM isn't allowed as an ONBUILD trigger"},
           {"maintainer me", "MAINTAINER isn't allowed as an ONBUILD trigger"},
           {"NOPE x", "unknown instruction"},
       }) {
    Result<std::vector<BuildStep>> steps = ExpandOnbuildTriggers({c.trigger}, TriggerScope(), 1);
    ASSERT_FALSE(steps.ok()) << c.trigger;
    EXPECT_NE(steps.status().message().find(c.message), std::string::npos)
        << steps.status().ToString();
    EXPECT_NE(steps.status().message().find("ONBUILD trigger \"" + c.trigger + "\""),
              std::string::npos)
        << steps.status().ToString();
  }
}

}  // namespace
}  // namespace strata::dockerfile
