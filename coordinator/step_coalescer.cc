#include "coordinator/step_coalescer.h"

namespace strata::coordinator {

Result<StepCoalescer::Produced> StepCoalescer::Run(
    const std::string& key, const std::function<Result<cache::CacheEntry>()>& produce) {
  std::shared_ptr<InFlight> mine;
  {
    MutexLock lock(mu_);
    while (true) {
      auto it = in_flight_.find(key);
      if (it == in_flight_.end()) break;
      std::shared_ptr<InFlight> leader = it->second;
      ++waiting_;
      while (!leader->done) cv_.Wait(mu_);
      --waiting_;
      if (leader->entry) return Produced{*leader->entry, false};
      // The leader failed: try again (another waiter may already lead).
    }
    mine = std::make_shared<InFlight>();
    in_flight_[key] = mine;
  }
  Result<cache::CacheEntry> entry = produce();
  {
    MutexLock lock(mu_);
    mine->done = true;
    if (entry.ok()) mine->entry = *entry;
    in_flight_.erase(key);
  }
  cv_.NotifyAll();
  if (!entry.ok()) return entry.status();
  return Produced{std::move(*entry), true};
}

int StepCoalescer::waiting() const {
  MutexLock lock(mu_);
  return waiting_;
}

}  // namespace strata::coordinator
