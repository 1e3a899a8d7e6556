#pragma once

// A worker for in-process cluster tests (coordinator/inproc_cluster_test.cc):
// the worker side of docs/protocol.md "Workers" with no runtime. It
// registers, answers each Job with a layer made of the job's instruction
// (uploaded with BlobPut, then JobResult), and sends heartbeats only when
// the test says so (Beat), so that a test on a fake clock decides who is
// alive. GoSilent() makes it a machine that vanished: no answer, no beat.
// Thread-safe; its reader thread stops with the object.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "protocol/connection.h"
#include "protocol/context.h"

namespace strata::coordinator::testing {

class ScriptedWorker {
 public:
  ScriptedWorker(protocol::Context& context, std::string endpoint, std::string id,
                 uint32_t slots = 1);
  ~ScriptedWorker();
  ScriptedWorker(const ScriptedWorker&) = delete;
  ScriptedWorker& operator=(const ScriptedWorker&) = delete;

  // Registers and starts answering jobs. Call once, first.
  Status Start();
  // A heartbeat now, listing the jobs it runs (none: it answers at once).
  Status Beat();
  // From now on it neither answers nor beats.
  void GoSilent() { silent_ = true; }

  const std::string& id() const { return id_; }
  // The attempt ids of the jobs it received, in order.
  std::vector<std::string> jobs() const;
  // The first thing that went wrong on its thread (OK if nothing).
  Status error() const;

 private:
  void Serve();
  Status Answer(const v1::Job& job);

  const std::string id_;
  const uint32_t slots_;
  std::unique_ptr<protocol::Connection> jobs_connection_;  // the job peer: its thread's
  std::unique_ptr<protocol::Connection> transfers_;        // BlobPut: its thread's
  std::unique_ptr<protocol::Connection> beats_;            // Beat's caller's
  std::atomic<bool> silent_{false};
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> jobs_;  // GUARDED_BY(mu_)
  Status error_;                   // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace strata::coordinator::testing
