#include "coordinator/build_scope.h"

#include <utility>

namespace strata::coordinator {

void BuildScope::Cancel(const Status& why) {
  Status reason = why.ok() ? Status::Cancelled("the build was cancelled") : why;
  MutexLock hooks(hooks_mu_);
  {
    MutexLock lock(mu_);
    if (!cancelled_.ok()) return;
    cancelled_ = reason;
  }
  for (Hook::Entry& entry : hooks_) {
    if (entry.called) continue;
    entry.called = true;
    entry.fn(reason);
  }
}

Status BuildScope::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

std::unique_ptr<BuildScope::Hook> BuildScope::OnCancel(std::function<void(const Status&)> fn) {
  MutexLock hooks(hooks_mu_);
  auto it = hooks_.insert(hooks_.end(), Hook::Entry{std::move(fn)});
  Status reason = cancelled();
  if (!reason.ok()) {
    it->called = true;
    it->fn(reason);
  }
  return std::unique_ptr<Hook>(new Hook(*this, it));
}

BuildScope::Hook::~Hook() {
  MutexLock hooks(scope_.hooks_mu_);
  scope_.hooks_.erase(it_);
}

}  // namespace strata::coordinator
