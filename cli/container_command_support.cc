#include "cli/container_command_support.h"

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "cli/container/port_check.h"

namespace strata::cli {

using container::ContainerRecord;
using container::ContainerStore;

int Fail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return s.IsInvalidArgument() ? 125 : 1;
}

int RunFail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return 125;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status RequireLocal(const CliContext& ctx) {
  if (!ctx.host.empty()) {
    return Status::InvalidArgument(
        "containers run on this machine and need the local coordinator and store; run without "
        "--host (and unset STRATA_HOST)");
  }
  return Status::OK();
}

container::RuncConfig Runc() { return container::RuncConfig{}; }

int PrintError(const Status& s, int code) {
  std::cerr << (s.message().rfind("Error response from daemon: ", 0) == 0 ? "" : "Error: ")
            << s.message() << "\n";
  return code;
}

Status CheckPorts(ContainerStore& store, const ContainerRecord& r) {
  if (r.ports.empty()) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> all, store.List());
  std::vector<std::string> taken;
  for (auto& other : all) {
    if (other.id != r.id && store.IsRunning(other)) {
      taken.insert(taken.end(), other.ports.begin(), other.ports.end());
    }
  }
  for (const auto& port : r.ports) {
    Status free = container::CheckPortFree(port, taken);
    if (!free.ok()) {
      return Status::Unavailable(
          "Error response from daemon: driver failed programming external connectivity on "
          "endpoint " +
          r.name + " (" + r.id + "): " + free.message() + ".");
    }
  }
  return Status::OK();
}

}  // namespace strata::cli
