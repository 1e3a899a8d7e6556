#include "coordinator/build_scope.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace strata::coordinator {
namespace {

TEST(BuildScopeTest, TheFirstReasonStaysAndEachHookIsCalledOnce) {
  BuildScope scope("b1", nullptr, nullptr);
  EXPECT_TRUE(scope.cancelled().ok());
  int calls = 0;
  std::string heard;
  std::unique_ptr<BuildScope::Hook> hook = scope.OnCancel([&](const Status& why) {
    ++calls;
    heard = why.message();
  });
  scope.Cancel(Status::Cancelled("client gone"));
  scope.Cancel(Status::TimedOut("--timeout"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(heard, "client gone");
  EXPECT_EQ(scope.cancelled().code(), StatusCode::kCancelled);
}

TEST(BuildScopeTest, AHookAddedAfterTheCancelIsCalledAtOnce) {
  BuildScope scope("b1", nullptr, nullptr);
  scope.Cancel(Status::TimedOut("--timeout"));
  bool called = false;
  std::unique_ptr<BuildScope::Hook> hook =
      scope.OnCancel([&](const Status& why) { called = why.code() == StatusCode::kTimedOut; });
  EXPECT_TRUE(called);
}

TEST(BuildScopeTest, AHookGoneIsNotCalled) {
  BuildScope scope("b1", nullptr, nullptr);
  bool called = false;
  scope.OnCancel([&](const Status&) { called = true; }).reset();
  scope.Cancel(Status::Cancelled("x"));
  EXPECT_FALSE(called);
}

// A hook's owner may go away while another thread cancels: the hook's
// destructor waits for the call instead of letting it run on freed state.
TEST(BuildScopeTest, DestroyingAHookWaitsForItsCall) {
  BuildScope scope("b1", nullptr, nullptr);
  std::atomic<bool> entered{false}, finished{false};
  std::unique_ptr<BuildScope::Hook> hook = scope.OnCancel([&](const Status&) {
    entered = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  std::thread canceller([&] { scope.Cancel(Status::Cancelled("x")); });
  while (!entered) std::this_thread::yield();
  hook.reset();
  EXPECT_TRUE(finished);
  canceller.join();
}

}  // namespace
}  // namespace strata::coordinator
