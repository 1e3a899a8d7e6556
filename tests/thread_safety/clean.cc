// violation.cc done right: must compile under scripts/check_thread_safety.sh
// (so that the violation's failure is the analysis, not the flags).

#include "common/mutex.h"

namespace {

class Counter {
 public:
  void Add() EXCLUDES(mu_) {
    strata::MutexLock lock(mu_);
    ++value_;
    changed_.NotifyAll();
  }
  int Get() const EXCLUDES(mu_) {
    strata::MutexLock lock(mu_);
    return value_;
  }
  void WaitFor(int n) EXCLUDES(mu_) {
    strata::MutexLock lock(mu_);
    while (value_ < n) changed_.Wait(mu_);
  }

 private:
  mutable strata::Mutex mu_;
  strata::CondVar changed_;
  int value_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Counter c;
  c.Add();
  c.WaitFor(1);
  return c.Get() == 1 ? 0 : 1;
}
