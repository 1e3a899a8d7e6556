#pragma once

// The builds running on a coordinator, by client peer and request id
// (PeerRequestKey). Thread-safe: the I/O thread finds sessions for the
// client's uploads and watches them (deadlines, clients gone), build
// threads add and remove their own.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "coordinator/build_session.h"
#include "image/digest.h"

namespace strata::coordinator {

class BuildSessionTable {
 public:
  // False (and nothing added) when the session's peer already runs a build
  // with its request id.
  bool Add(std::shared_ptr<BuildSession> session) EXCLUDES(mu_);
  // Null when no such build runs.
  std::shared_ptr<BuildSession> Find(const std::string& peer, uint64_t request_id) const
      EXCLUDES(mu_);
  // Every running build, by key.
  std::vector<std::shared_ptr<BuildSession>> All() const EXCLUDES(mu_);
  void Remove(const std::shared_ptr<BuildSession>& session) EXCLUDES(mu_);
  // Cancels every running build with `status` (outside the table's lock).
  void CancelAll(const Status& status) EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<BuildSession>> sessions_ GUARDED_BY(mu_);  // by key()
};

}  // namespace strata::coordinator
