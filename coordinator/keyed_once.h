#pragma once

// Coalesces identical concurrent operations by key: the first caller of a
// key runs the operation, callers arriving while it runs wait and get the
// same result (its error too). Once the leader is done, the key is free: a
// later call runs again. Used for pulls, so concurrent builds and `strata
// pull`s of one reference (and one blob) download it once. StepCoalescer is
// the cache-entry flavour of the same pattern (a waiter re-leads after a
// failure there, because a failed step is the build's own error).
//
// Thread-safe. `run` is called without the lock held; it must not wait on
// the same key of the same KeyedOnce.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"

namespace strata::coordinator {

template <typename T>
class KeyedOnce {
 public:
  struct Outcome {
    Result<T> result;
    bool led = false;  // this caller ran the operation
  };

  Outcome Run(const std::string& key, const std::function<Result<T>()>& run) {
    std::shared_ptr<Flight> flight;
    {
      std::unique_lock lock(mu_);
      auto it = in_flight_.find(key);
      if (it != in_flight_.end()) {
        flight = it->second;
        ++waiting_;
        cv_.wait(lock, [&] { return flight->result.has_value(); });
        --waiting_;
        return {*flight->result, false};
      }
      flight = std::make_shared<Flight>();
      in_flight_[key] = flight;
    }
    Result<T> result = run();
    {
      std::lock_guard lock(mu_);
      flight->result = result;
      in_flight_.erase(key);
    }
    cv_.notify_all();
    return {std::move(result), true};
  }

  // Callers waiting for a leader (for tests).
  int waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  struct Flight {
    std::optional<Result<T>> result;
  };
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Flight>> in_flight_;  // GUARDED_BY(mu_)
  int waiting_ = 0;                                           // GUARDED_BY(mu_)
};

}  // namespace strata::coordinator
