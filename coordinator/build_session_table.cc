#include "coordinator/build_session_table.h"

#include <algorithm>
#include <utility>

namespace strata::coordinator {

bool BuildSessionTable::Add(std::shared_ptr<BuildSession> session) {
  MutexLock lock(mu_);
  return sessions_.try_emplace(session->key(), std::move(session)).second;
}

std::shared_ptr<BuildSession> BuildSessionTable::Find(const std::string& peer,
                                                      uint64_t request_id) const {
  MutexLock lock(mu_);
  auto it = sessions_.find(BuildSessionKey(peer, request_id));
  return it == sessions_.end() ? nullptr : it->second;
}

std::shared_ptr<BuildSession> BuildSessionTable::FindHolding(
    const std::vector<Digest>& digests) const {
  MutexLock lock(mu_);
  for (const auto& entry : sessions_) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const std::shared_ptr<BuildSession>& session = entry.second;
    if (std::all_of(digests.begin(), digests.end(),
                    [&](const Digest& d) { return session->contents.contains(d); })) {
      return session;
    }
  }
  return nullptr;
}

void BuildSessionTable::Remove(const std::shared_ptr<BuildSession>& session) {
  MutexLock lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second == session; });
}

void BuildSessionTable::CancelAll(const Status& status) {
  MutexLock lock(mu_);
  for (auto& [key, session] : sessions_) session->Cancel(status);
}

}  // namespace strata::coordinator
