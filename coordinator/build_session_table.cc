#include "coordinator/build_session_table.h"

#include <utility>

namespace strata::coordinator {

bool BuildSessionTable::Add(std::shared_ptr<BuildSession> session) {
  MutexLock lock(mu_);
  return sessions_.try_emplace(session->key(), std::move(session)).second;
}

std::shared_ptr<BuildSession> BuildSessionTable::Find(const std::string& peer,
                                                      uint64_t request_id) const {
  MutexLock lock(mu_);
  auto it = sessions_.find(PeerRequestKey(peer, request_id));
  return it == sessions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<BuildSession>> BuildSessionTable::All() const {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<BuildSession>> out;
  out.reserve(sessions_.size());
  for (const auto& [key, session] : sessions_) out.push_back(session);
  return out;
}

void BuildSessionTable::Remove(const std::shared_ptr<BuildSession>& session) {
  MutexLock lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second == session; });
}

void BuildSessionTable::CancelAll(const Status& status) {
  for (const std::shared_ptr<BuildSession>& session : All()) session->Cancel(status);
}

}  // namespace strata::coordinator
