// Must NOT compile under scripts/check_thread_safety.sh: Get() reads a
// GUARDED_BY member without holding its mutex. The script requires clang's
// "requires holding mutex 'mu_'" here, proving that a real violation in
// coordinator/ would fail the check. clean.cc is the same code done right.

#include "common/mutex.h"

namespace {

class Counter {
 public:
  void Add() EXCLUDES(mu_) {
    strata::MutexLock lock(mu_);
    ++value_;
  }
  int Get() const { return value_; }  // the violation: no lock

 private:
  mutable strata::Mutex mu_;
  int value_ GUARDED_BY(mu_) = 0;
};

}  // namespace

int main() {
  Counter c;
  c.Add();
  return c.Get();
}
