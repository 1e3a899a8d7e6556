#include "sandbox/testing/fake_runtime.h"

namespace strata::sandbox {

void FakeRuntime::SetResult(Result<RunResult> result, std::string stdout_text,
                            std::string stderr_text) {
  std::lock_guard<std::mutex> lock(mu_);
  result_ = std::move(result);
  stdout_ = std::move(stdout_text);
  stderr_ = std::move(stderr_text);
}

Result<RunResult> FakeRuntime::Run(const RunSpec& spec, OutputSink* out) {
  std::lock_guard<std::mutex> lock(mu_);
  runs_.push_back(spec);
  if (out != nullptr) {
    if (!stdout_.empty()) out->Write(OutputStream::kStdout, stdout_);
    if (!stderr_.empty()) out->Write(OutputStream::kStderr, stderr_);
  }
  return result_;
}

std::vector<RunSpec> FakeRuntime::runs() {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_;
}

}  // namespace strata::sandbox
