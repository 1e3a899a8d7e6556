#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace strata {
namespace {

class Flag {
 public:
  void Set() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    set_ = true;
    changed_.NotifyAll();
  }
  void Wait() EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (!set_) changed_.Wait(mu_);
  }
  // False when `deadline` passed with the flag unset.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    while (!set_) {
      if (!changed_.WaitUntil(mu_, deadline)) break;
    }
    return set_;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  bool set_ GUARDED_BY(mu_) = false;
};

TEST(MutexTest, AWaiterWakesWhenTheConditionIsSet) {
  Flag flag;
  std::thread setter([&] { flag.Set(); });
  flag.Wait();
  setter.join();
  EXPECT_TRUE(flag.WaitUntil(std::chrono::steady_clock::now()));
}

TEST(MutexTest, WaitUntilGivesUpAtItsDeadline) {
  Flag flag;
  EXPECT_FALSE(flag.WaitUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(1)));
}

TEST(MutexTest, TheMutexExcludesOtherHolders) {
  Mutex mu;
  int counter = 0;
  auto add = [&] {
    for (int i = 0; i < 10000; ++i) {
      MutexLock lock(mu);
      ++counter;
    }
  };
  std::thread a(add), b(add);
  a.join();
  b.join();
  EXPECT_EQ(counter, 20000);
}

}  // namespace
}  // namespace strata
