#pragma once

// Forwarding wrappers that let the threads of one build share the caller's
// EventSink and ContextSource, which need not be thread-safe: each call
// goes through one at a time. Internal to coordinator/build_runner.cc.

#include <mutex>
#include <string>
#include <vector>

#include "coordinator/build_step_key.h"
#include "coordinator/build_step_runner.h"

namespace strata::coordinator {

// Hands the events of a build's threads to the caller's sink one at a time.
class SerialSink : public EventSink {
 public:
  explicit SerialSink(EventSink* inner) : inner_(inner) {}
  void OnEvent(const BuildEvent& event) override {
    if (inner_ == nullptr) return;
    std::lock_guard<std::mutex> lock(mu_);
    inner_->OnEvent(event);
  }

 private:
  EventSink* inner_;
  std::mutex mu_;
};

// Hands the build context to the stages' threads one Select at a time (a
// ContextSource need not be thread-safe).
class SerialContext : public ContextSource {
 public:
  explicit SerialContext(ContextSource* inner) : inner_(inner) {}
  ContextSource* get() { return inner_ == nullptr ? nullptr : this; }
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>& excludes) override {
    std::lock_guard<std::mutex> lock(mu_);
    return inner_->Select(patterns, excludes);
  }

 private:
  ContextSource* inner_;
  std::mutex mu_;
};

}  // namespace strata::coordinator
