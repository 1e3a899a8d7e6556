#pragma once

// Forwarding wrappers that let the threads of one build share the caller's
// EventSink and ContextSource, which need not be thread-safe: each call
// goes through one at a time. Internal to coordinator/build_runner.cc.

#include <string>
#include <vector>

#include "common/mutex.h"
#include "coordinator/build_step_key.h"
#include "coordinator/build_step_runner.h"

namespace strata::coordinator {

// Hands the events of a build's threads to the caller's sink one at a time.
class SerialSink : public EventSink {
 public:
  explicit SerialSink(EventSink* inner) : inner_(inner) {}
  void OnEvent(const BuildEvent& event) EXCLUDES(mu_) override {
    if (inner_ == nullptr) return;
    MutexLock lock(mu_);
    inner_->OnEvent(event);
  }

 private:
  EventSink* const inner_ PT_GUARDED_BY(mu_);
  Mutex mu_;
};

// Hands the build context to the stages' threads one Select at a time (a
// ContextSource need not be thread-safe).
class SerialContext : public ContextSource {
 public:
  explicit SerialContext(ContextSource* inner) : inner_(inner) {}
  ContextSource* get() { return inner_ == nullptr ? nullptr : this; }
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>& excludes)
      EXCLUDES(mu_) override {
    MutexLock lock(mu_);
    return inner_->Select(patterns, excludes);
  }

 private:
  ContextSource* const inner_ PT_GUARDED_BY(mu_);
  Mutex mu_;
};

}  // namespace strata::coordinator
