#include "common/did_you_mean.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(DidYouMeanTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("image", "imge"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(DidYouMeanTest, SuggestsCloseWordOnly) {
  std::vector<std::string> words = {"image", "container", "build", "dockerfile"};
  EXPECT_EQ(ClosestMatch("imgae", words), "image");
  EXPECT_EQ(ClosestMatch("biuld", words), "build");
  EXPECT_EQ(ClosestMatch("xyz", words), "");
}

}  // namespace
}  // namespace strata
