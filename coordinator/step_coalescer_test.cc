#include "coordinator/step_coalescer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace strata::coordinator {
namespace {

// Waits (bounded: 10 s) until `done` holds.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 10000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

cache::CacheEntry EntryNamed(const std::string& ns) {
  cache::CacheEntry e;
  e.ns = ns;
  return e;
}

TEST(StepCoalescerTest, SecondCallerWaitsAndTakesTheLeadersEntry) {
  StepCoalescer coalescer;
  std::atomic<bool> release{false};
  std::atomic<int> produced{0};
  auto slow = [&]() -> Result<cache::CacheEntry> {
    ++produced;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return EntryNamed("leader");
  };
  Result<StepCoalescer::Produced> first = Status::Internal("unset");
  std::thread leader([&] { first = coalescer.Run("k", slow); });
  ASSERT_TRUE(Eventually([&] { return produced.load() == 1; }));
  Result<StepCoalescer::Produced> second = Status::Internal("unset");
  std::thread waiter([&] { second = coalescer.Run("k", slow); });
  ASSERT_TRUE(Eventually([&] { return coalescer.waiting() == 1; }));
  release = true;
  leader.join();
  waiter.join();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(first->led);
  EXPECT_FALSE(second->led);
  EXPECT_EQ(second->entry.ns, "leader");
  EXPECT_EQ(produced.load(), 1);
  EXPECT_EQ(coalescer.waiting(), 0);
}

TEST(StepCoalescerTest, WaiterLeadsAgainWhenTheLeaderFails) {
  StepCoalescer coalescer;
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  Result<StepCoalescer::Produced> first = Status::Internal("unset");
  std::thread leader([&] {
    first = coalescer.Run("k", [&]() -> Result<cache::CacheEntry> {
      started = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::InvalidArgument("leader failed");
    });
  });
  ASSERT_TRUE(Eventually([&] { return started.load(); }));
  Result<StepCoalescer::Produced> second = Status::Internal("unset");
  std::thread waiter([&] {
    second = coalescer.Run("k", [&]() -> Result<cache::CacheEntry> { return EntryNamed("w"); });
  });
  ASSERT_TRUE(Eventually([&] { return coalescer.waiting() == 1; }));
  release = true;
  leader.join();
  waiter.join();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "leader failed");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->led);
  EXPECT_EQ(second->entry.ns, "w");
}

TEST(StepCoalescerTest, DifferentKeysDoNotWait) {
  StepCoalescer coalescer;
  int calls = 0;
  auto make = [&]() -> Result<cache::CacheEntry> {
    ++calls;
    return EntryNamed("x");
  };
  ASSERT_TRUE(coalescer.Run("a", make).ok());
  ASSERT_TRUE(coalescer.Run("b", make).ok());
  Result<StepCoalescer::Produced> again = coalescer.Run("a", make);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->led);  // nothing in flight: runs again (the cache answers repeats)
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace strata::coordinator
