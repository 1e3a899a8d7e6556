#pragma once

// One build as the layers under the BuildService see it (docs/protocol.md
// "Builds and workers"): its id, unique across coordinator restarts (job
// ids are `<build>-<step>-<attempt>`); its own client's session, which
// uploads the context files its COPY steps need and receives its events;
// and whether it must stop: cancelled (the client went away, a stage
// failed, the coordinator is shutting down) or past its deadline
// (`build --timeout`).
//
// Thread-safe. Whoever waits on something a build needs (a job, an upload)
// registers an OnCancel hook for as long as it waits, so that a cancel ends
// the wait at once instead of at its timeout.

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "image/digest.h"

namespace strata::coordinator {

class EventSink;

// Brings context file contents into the store; the build session
// implements it over MissingBlobs / BlobPut / ContextUploaded.
class ContextUploader {
 public:
  virtual ~ContextUploader() = default;
  // Returns once the client says it uploaded `digests` (or fails: client
  // gone, upload corrupt, build cancelled). Thread-safe.
  virtual Status Upload(const std::vector<Digest>& digests) = 0;
};

class BuildScope {
 public:
  // `events` and `uploader` may be null (no progress; missing context
  // contents fail the step); when given they outlive the scope.
  // `deadline_nanos`: steady-clock time (Clock::NowMonotonicNanos) after
  // which the build is stopped, 0 for none.
  BuildScope(std::string id, EventSink* events, ContextUploader* uploader,
             int64_t deadline_nanos = 0)
      : id_(std::move(id)), events_(events), uploader_(uploader), deadline_nanos_(deadline_nanos) {}
  BuildScope(const BuildScope&) = delete;
  BuildScope& operator=(const BuildScope&) = delete;

  const std::string& id() const { return id_; }
  EventSink* events() const { return events_; }
  ContextUploader* uploader() const { return uploader_; }
  int64_t deadline_nanos() const { return deadline_nanos_; }

  // Stops the build with `why` (not OK). The first reason stays; each hook
  // registered is called once, on this thread, outside the scope's state
  // lock. Later calls do nothing.
  void Cancel(const Status& why) EXCLUDES(mu_, hooks_mu_);
  // OK while the build may go on, else the reason it was stopped.
  Status cancelled() const EXCLUDES(mu_);

  // Calls `fn` when the build is cancelled (at once, on this thread, when
  // it already is) for as long as the returned hook lives. Its destructor
  // waits for a call in progress, so `fn` may use what the caller owns.
  // `fn` must not destroy a hook of this scope nor call Cancel.
  class Hook {
   public:
    ~Hook();
    Hook(const Hook&) = delete;
    Hook& operator=(const Hook&) = delete;

   private:
    friend class BuildScope;
    struct Entry {
      std::function<void(const Status&)> fn;
      bool called = false;
    };
    Hook(BuildScope& scope, std::list<Entry>::iterator it) : scope_(scope), it_(it) {}
    BuildScope& scope_;
    std::list<Entry>::iterator it_;
  };
  [[nodiscard]] std::unique_ptr<Hook> OnCancel(std::function<void(const Status&)> fn)
      EXCLUDES(mu_, hooks_mu_);

 private:
  const std::string id_;
  EventSink* const events_;
  ContextUploader* const uploader_;
  const int64_t deadline_nanos_;

  // hooks_mu_ is held while hooks are called and while one is added or
  // removed; mu_ guards the reason only.
  Mutex hooks_mu_ ACQUIRED_BEFORE(mu_);
  std::list<Hook::Entry> hooks_ GUARDED_BY(hooks_mu_);
  mutable Mutex mu_;
  Status cancelled_ GUARDED_BY(mu_);
};

}  // namespace strata::coordinator
