// BuildRunner: ONBUILD triggers of base images and stages, --label.

#include <gtest/gtest.h>

#include "coordinator/build_runner_test_fixture.h"

namespace strata::coordinator {
namespace {

std::vector<std::string> Texts(const BuildResult& r) {
  std::vector<std::string> out;
  for (const StepReport& s : r.steps) out.push_back(s.text);
  return out;
}

TEST_F(BuildRunnerTest, BaseImageTriggersRunFirstAndAreNotInherited) {
  BuildOptions base_options;
  base_options.tags = {"docker.io/library/base:latest"};
  ASSERT_OK(
      Build("FROM scratch\nENV DEST=/srv\nONBUILD COPY app $DEST/app\n"
            "ONBUILD RUN make\nONBUILD LABEL from=onbuild\n",
            base_options));

  const std::string child = "ARG X\nFROM base\nRUN echo child\nONBUILD RUN mine\n";
  Result<BuildResult> r = Build(child);
  ASSERT_OK(r);
  EXPECT_EQ(Texts(*r),
            (std::vector<std::string>{"COPY app /srv/app", "RUN make", "LABEL from=onbuild",
                                      "RUN echo child", "ONBUILD RUN mine"}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r->steps[i].line, 2) << i;  // the FROM line
  ASSERT_EQ(fake_->calls(), 3);                   // COPY, RUN make, RUN echo child
  EXPECT_EQ(fake_->jobs()[0].inputs.size(), 2u);  // app/main.c, app/util.c
  EXPECT_EQ(fake_->jobs()[2].parents.size(), 2u);
  // Step numbers count the FROM (BuildKit's [1/N] FROM) and the triggers.
  ASSERT_FALSE(sink_.events.empty());
  EXPECT_EQ(sink_.events.back().index, 6);
  EXPECT_EQ(sink_.events.back().total, 6);

  image::ImageConfig config = ConfigOf(*r);
  EXPECT_EQ(config.config.on_build, std::vector<std::string>{"RUN mine"});
  EXPECT_EQ(config.config.labels.at("from"), "onbuild");

  // The trigger steps chain into the keys like any step: a warm rebuild hits.
  Result<BuildResult> warm = Build(child);
  ASSERT_OK(warm);
  EXPECT_EQ(fake_->calls(), 0);
  EXPECT_EQ(warm->cached_steps, 3);
  EXPECT_EQ(warm->image.id, r->image.id);
}

TEST_F(BuildRunnerTest, BaseStageTriggersRunOnceAndAreNotInherited) {
  Result<BuildResult> r = Build("FROM scratch AS base\nONBUILD RUN make\nFROM base\nRUN other\n");
  ASSERT_OK(r);
  EXPECT_EQ(Texts(*r), (std::vector<std::string>{"ONBUILD RUN make", "RUN make", "RUN other"}));
  EXPECT_EQ(fake_->calls(), 2);
  EXPECT_TRUE(ConfigOf(*r).config.on_build.empty());
}

TEST_F(BuildRunnerTest, ForbiddenTriggersOfAnImageNameTheFromLine) {
  struct Case {
    std::string trigger;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
           {"FROM alpine", "FROM isn't allowed as an ONBUILD trigger"},
           {"MAINTAINER me", "MAINTAINER isn't allowed as an ONBUILD trigger"},
       }) {
    TagImageWithTriggers("docker.io/library/bad:latest", {"RUN fine", c.trigger});
    Result<BuildResult> r = Build("FROM scratch AS other\n\nFROM bad\nRUN true\n");
    ASSERT_FALSE(r.ok()) << c.trigger;
    EXPECT_EQ(r.status().message(),
              "Dockerfile:3: FROM bad: ONBUILD trigger \"" + c.trigger + "\": " + c.message);
    EXPECT_EQ(fake_->calls(), 0);
  }
}

TEST_F(BuildRunnerTest, TriggerCopyFromALaterOrUnneededStageIsRefused) {
  TagImageWithTriggers("docker.io/library/copier:latest", {"COPY --from=tools /t /t"});
  Result<BuildResult> r =
      Build("FROM copier AS app\nFROM scratch AS tools\nCOPY README /t\n", {}, {}, "app");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Dockerfile:1: FROM copier: ONBUILD trigger"),
            std::string::npos)
      << r.status().ToString();

  // An earlier needed stage is waited for like any COPY --from.
  Result<BuildResult> ok = Build(
      "FROM scratch AS tools\nCOPY README /t\n"
      "FROM scratch\nCOPY --from=tools /t /t0\nFROM copier\n");
  ASSERT_OK(ok);
  EXPECT_EQ(ok->steps.back().text, "COPY --from=tools /t /t");
}

TEST_F(BuildRunnerTest, LabelsOptionSetsFinalImageLabelsOnly) {
  const std::string df = "FROM scratch AS dep\nLABEL dep=1\nFROM scratch\nLABEL a=file b=file\n";
  Result<BuildResult> plain = Build(df);
  ASSERT_OK(plain);
  BuildOptions options;
  options.labels = {{"a", "cli"}, {"org.opencontainers.image.version", "1.2"}};
  Result<BuildResult> labelled = Build(df, options);
  ASSERT_OK(labelled);
  image::ImageConfig config = ConfigOf(*labelled);
  EXPECT_EQ(config.config.labels,
            (std::map<std::string, std::string>{
                {"a", "cli"}, {"b", "file"}, {"org.opencontainers.image.version", "1.2"}}));
  EXPECT_NE(labelled->image.id, plain->image.id);
  // Labels are not part of any step's key.
  ASSERT_EQ(labelled->steps.size(), plain->steps.size());
  for (size_t i = 0; i < plain->steps.size(); ++i) {
    EXPECT_EQ(labelled->steps[i].key, plain->steps[i].key);
  }
}

}  // namespace
}  // namespace strata::coordinator
