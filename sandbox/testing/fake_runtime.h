#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "sandbox/runtime.h"

namespace strata::sandbox {

// A Runtime for tests of its callers: runs nothing, records each RunSpec,
// writes the scripted output and returns the scripted result. Thread-safe.
class FakeRuntime : public Runtime {
 public:
  // What every following Run does.
  void SetResult(Result<RunResult> result, std::string stdout_text = "",
                 std::string stderr_text = "");

  Result<RunResult> Run(const RunSpec& spec, OutputSink* out) override;

  std::vector<RunSpec> runs();

 private:
  std::mutex mu_;
  Result<RunResult> result_ = RunResult{};  // GUARDED_BY(mu_)
  std::string stdout_;                      // GUARDED_BY(mu_)
  std::string stderr_;                      // GUARDED_BY(mu_)
  std::vector<RunSpec> runs_;               // GUARDED_BY(mu_)
};

}  // namespace strata::sandbox
