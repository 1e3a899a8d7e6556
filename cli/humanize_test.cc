#include "cli/humanize.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

TEST(HumanizeTest, DurationsAsDockerPrintsThem) {
  EXPECT_EQ(HumanDuration(0), "Less than a second");
  EXPECT_EQ(HumanDuration(1), "1 second");
  EXPECT_EQ(HumanDuration(45), "45 seconds");
  EXPECT_EQ(HumanDuration(90), "About a minute");
  EXPECT_EQ(HumanDuration(5 * 60), "5 minutes");
  EXPECT_EQ(HumanDuration(3600), "About an hour");
  EXPECT_EQ(HumanDuration(5 * 3600), "5 hours");
  EXPECT_EQ(HumanDuration(3 * 86400), "3 days");
  EXPECT_EQ(HumanDuration(20 * 86400), "2 weeks");
  EXPECT_EQ(HumanDuration(100 * 86400), "3 months");
  EXPECT_EQ(HumanDuration(800 * 86400), "2 years");
}

TEST(HumanizeTest, SizesInDecimalUnits) {
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(999), "999B");
  EXPECT_EQ(HumanSize(1234), "1.23kB");
  EXPECT_EQ(HumanSize(1234567), "1.23MB");
  EXPECT_EQ(HumanSize(4260000), "4.26MB");
}

}  // namespace
}  // namespace strata::cli
