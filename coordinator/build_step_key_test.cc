#include "coordinator/build_step_key.h"

#include <gtest/gtest.h>

#include "cache/test_util.h"
#include "dockerfile/plan.h"

namespace strata::coordinator {
namespace {

class NoContext : public ContextSource {
 public:
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>&,
                                                const std::vector<std::string>&) override {
    return std::vector<cache::InputEntry>{{"a", cache::InputType::kRegular, 0644, 1,
                                           Digest::Sha256Of("a"), ""}};
  }
};

dockerfile::BuildStep StepOf(const std::string& dockerfile, size_t index = 0) {
  Result<dockerfile::BuildPlan> plan = dockerfile::ParseAndPlan(dockerfile, {});
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan->stages.back().steps.at(index);
}

Digest KeyOf(const dockerfile::BuildStep& step, const ExecState& state, ContextSource* context) {
  Result<cache::CacheKeyBuilder> b = StepKeyBuilder(ScratchKey(), step, state, {}, context);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b->Build();
}

TEST(StepKeyTest, ScratchKeyIsFixed) {
  EXPECT_EQ(ScratchKey(), Digest::Sha256Of("strata-scratch-v1"));
}

TEST(StepKeyTest, RunKeyDependsOnEnvUserWorkdirShellNetwork) {
  dockerfile::BuildStep run = StepOf("FROM scratch\nRUN make\n");
  ExecState base;
  Digest k = KeyOf(run, base, nullptr);
  ExecState env = base;
  env.env = {{"A", "1"}};
  ExecState user = base;
  user.user = "1000";
  ExecState wd = base;
  wd.workdir = "/src";
  ExecState shell = base;
  shell.shell = {"/bin/bash", "-c"};
  for (const ExecState& s : {env, user, wd, shell}) EXPECT_NE(KeyOf(run, s, nullptr), k);
  EXPECT_NE(KeyOf(StepOf("FROM scratch\nRUN --network=none make\n"), base, nullptr), k);
  EXPECT_EQ(KeyOf(run, base, nullptr), k);
}

TEST(StepKeyTest, EnvOrderDoesNotMatter) {
  dockerfile::BuildStep run = StepOf("FROM scratch\nRUN make\n");
  ExecState a, b;
  a.env = {{"A", "1"}, {"B", "2"}};
  b.env = {{"B", "2"}, {"A", "1"}};
  EXPECT_EQ(KeyOf(run, a, nullptr), KeyOf(run, b, nullptr));
}

TEST(StepKeyTest, CopyNeedsContextAndHashesInputs) {
  dockerfile::BuildStep copy = StepOf("FROM scratch\nCOPY a /dst\n");
  Result<cache::CacheKeyBuilder> none = StepKeyBuilder(ScratchKey(), copy, {}, {}, nullptr);
  EXPECT_FALSE(none.ok());
  NoContext context;
  ExecState state;
  Result<cache::CacheKeyBuilder> b = StepKeyBuilder(ScratchKey(), copy, state, {}, &context);
  ASSERT_OK(b);
  EXPECT_NE(b->Preimage().find("dest"), std::string::npos);
  // --from replaces the context inputs by the source's key.
  dockerfile::BuildStep from = StepOf("FROM scratch AS a\nFROM scratch\nCOPY --from=a x /y\n");
  Result<cache::CacheKeyBuilder> f =
      StepKeyBuilder(ScratchKey(), from, state, Digest::Sha256Of("stage"), nullptr);
  ASSERT_OK(f);
  EXPECT_NE(f->Preimage().find(Digest::Sha256Of("stage").ToString()), std::string::npos);
}

TEST(StepKeyTest, ArgKeyHasNamesNotValues) {
  dockerfile::PlanOptions one, two;
  one.build_args = {{"V", "1"}};
  two.build_args = {{"V", "2"}};
  auto a = dockerfile::ParseAndPlan("FROM scratch\nARG V\n", one);
  auto b = dockerfile::ParseAndPlan("FROM scratch\nARG V\n", two);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(KeyOf(a->stages[0].steps[0], {}, nullptr), KeyOf(b->stages[0].steps[0], {}, nullptr));
}

}  // namespace
}  // namespace strata::coordinator
