#include "cli/image_remove_conflict.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

const std::string kId = "sha256:d6be02065b0de8aa71b5d9e96e3861745c3ec3e3229f4ef774c9cb57ca2af76b";
const std::string kContainer(64, 'c');
using Action = RemovePlan::Action;

TEST(PlanRemoveTest, NoContainerNoConflict) {
  EXPECT_EQ(PlanRemove("busybox", kId, {"busybox:latest"}, {}, false).action, Action::kRemove);
}

TEST(PlanRemoveTest, ReferenceUsedByAContainerNeedsForceWithDockersWording) {
  RemovePlan plan = PlanRemove("busybox", kId, {"busybox:latest"}, {{kContainer, false}}, false);
  EXPECT_EQ(plan.action, Action::kRefuse);
  EXPECT_EQ(plan.error,
            "conflict: unable to remove repository reference \"busybox\" (must force) - container "
            "cccccccccccc is using its referenced image d6be02065b0d");
  // Running or not: the reference check comes first.
  EXPECT_EQ(PlanRemove("busybox", kId, {"busybox:latest"}, {{kContainer, true}}, false).error,
            plan.error);
}

TEST(PlanRemoveTest, ForcedReferenceOfARunningContainersImageOnlyUntags) {
  EXPECT_EQ(PlanRemove("busybox", kId, {"busybox:latest"}, {{kContainer, true}}, true).action,
            Action::kUntagOnly);
  // A stopped container does not keep the image from a forced removal.
  EXPECT_EQ(PlanRemove("busybox", kId, {"busybox:latest"}, {{kContainer, false}}, true).action,
            Action::kRemove);
}

TEST(PlanRemoveTest, OneOfSeveralRepositoriesIsJustUntagged) {
  EXPECT_EQ(PlanRemove("busybox", kId, {"busybox:latest", "example/bb:2"}, {{kContainer, false}},
                       false)
                .action,
            Action::kRemove);
  // Two tags of one repository are still a single reference: refused.
  EXPECT_EQ(PlanRemove("busybox:1", kId, {"busybox:1", "busybox:latest"}, {{kContainer, false}},
                       false)
                .action,
            Action::kRefuse);
}

TEST(PlanRemoveTest, IdOfAStoppedContainersImageMustBeForced) {
  RemovePlan plan = PlanRemove("d6be02", kId, {"busybox:latest"}, {{kContainer, false}}, false);
  EXPECT_EQ(plan.action, Action::kRefuse);
  EXPECT_EQ(plan.error,
            "conflict: unable to delete d6be02065b0d (must be forced) - image is being used by "
            "stopped container cccccccccccc");
  EXPECT_EQ(PlanRemove("d6be02", kId, {"busybox:latest"}, {{kContainer, false}}, true).action,
            Action::kRemove);
}

TEST(PlanRemoveTest, IdOfARunningContainersImageCannotBeForced) {
  for (bool force : {false, true}) {
    RemovePlan plan = PlanRemove(kId, kId, {}, {{kContainer, true}}, force);
    EXPECT_EQ(plan.action, Action::kRefuse);
    EXPECT_EQ(plan.error,
              "conflict: unable to delete d6be02065b0d (cannot be forced) - image is being used by "
              "running container cccccccccccc");
  }
}

}  // namespace
}  // namespace strata::cli
