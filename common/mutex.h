#pragma once

// A mutex, its scoped lock and a condition variable that clang's
// -Wthread-safety understands (common/thread_annotations.h); libstdc++'s
// std::mutex carries no annotations. Same semantics as std::mutex,
// std::lock_guard and std::condition_variable.
//
//   mutable Mutex mu_;
//   CondVar changed_;
//   bool ready_ GUARDED_BY(mu_) = false;
//
//   void WaitReady() EXCLUDES(mu_) {
//     MutexLock lock(mu_);
//     while (!ready_) changed_.Wait(mu_);
//   }

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/thread_annotations.h"

namespace strata {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For the analysis only: states that the caller holds the mutex where it
  // cannot see so (a lambda run under the lock). Checks nothing.
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to destruction.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Waits without predicates: callers loop on their guarded condition, so the
// analysis sees every read of guarded state under the mutex.
class CondVar {
 public:
  // Releases `mu`, waits for a notification (or a spurious wake-up), takes
  // `mu` again.
  void Wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's MutexLock releases it
  }
  // As Wait, but gives up at `deadline`: false when it passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    std::cv_status status = cv_.wait_until(lock, deadline);
    lock.release();
    return status == std::cv_status::no_timeout;
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace strata
