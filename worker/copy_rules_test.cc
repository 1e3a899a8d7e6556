#include "worker/copy_rules.h"

#include <gtest/gtest.h>

namespace strata::worker {
namespace {

TEST(CopyRulesTest, ParseChmod) {
  EXPECT_EQ(ParseChmod("755").value_or(0), 0755u);
  EXPECT_EQ(ParseChmod("04755").value_or(0), 04755u);
  EXPECT_FALSE(ParseChmod("u+x").ok());
  EXPECT_FALSE(ParseChmod("17777").ok());
}

TEST(CopyRulesTest, FlagsBecomeWriteRules) {
  CopyStep step;
  step.chmod = "0640";
  step.chown = "12:34";
  step.preserve_owner = true;
  Result<sandbox::WriteRules> rules = CopyWriteRules(step, "/nonexistent-root", 99);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(rules->chmod.value_or(0), 0640u);
  ASSERT_TRUE(rules->owner.has_value());
  EXPECT_EQ(rules->owner->first, 12u);
  EXPECT_EQ(rules->owner->second, 34u);
  EXPECT_TRUE(rules->preserve_owner);
  EXPECT_EQ(rules->source_date_epoch.value_or(0), 99);

  CopyStep plain;
  Result<sandbox::WriteRules> none = CopyWriteRules(plain, "/nonexistent-root", std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->chmod.has_value());
  EXPECT_FALSE(none->owner.has_value());
  EXPECT_FALSE(none->preserve_owner);

  step.chmod = "u+x";
  EXPECT_FALSE(CopyWriteRules(step, "/nonexistent-root", std::nullopt).ok());
}

}  // namespace
}  // namespace strata::worker
