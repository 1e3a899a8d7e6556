#pragma once

// The PushRecorder of the coordinator: a push adds "NAME@DIGEST" to the
// image record's RepoDigests (as a pull does), and the mount sources of a
// later push are the repositories of the same registry the record names.
// Thread-safe (the store is).

#include <mutex>
#include <string>
#include <vector>

#include "cache/store.h"
#include "coordinator/image_pusher.h"

namespace strata::coordinator {

class StorePushRecorder : public PushRecorder {
 public:
  explicit StorePushRecorder(cache::Store& store) : store_(store) {}

  void OnPushed(const Digest& image_id, const std::string& name, const Digest& digest) override;
  std::vector<std::string> KnownRepositories(const Digest& image_id,
                                             const std::string& domain) override;

 private:
  cache::Store& store_;
  std::mutex mu_;  // one record update at a time
};

}  // namespace strata::coordinator
