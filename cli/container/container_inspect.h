#pragma once

// `docker container inspect` for strata's containers: the fields of Docker's
// ContainerJSON that apply to a container on the host network, from its
// state.json record and what the caller found on disk.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/container/container_store.h"
#include "common/result.h"

namespace strata::cli::container {

// What the record does not hold.
struct InspectFacts {
  bool running = false;
  int pid = 0;      // the container's init process on the host, 0 when not running
  std::string dir;  // ROOT/containers/<id>
  std::vector<std::string> lower_dirs;           // the image's unpacked layers, top first
  std::optional<int64_t> size_rw, size_root_fs;  // with -s
};

// Docker's JSON object (keys in Docker's order, times in RFC 3339 with
// nanoseconds, "0001-01-01T00:00:00Z" for a time that has not come).
// NetworkSettings.Ports lists the published ports only while the container
// runs, as Docker's does; HostConfig.PortBindings always.
std::string InspectJson(const ContainerRecord& record, const InspectFacts& facts);


}  // namespace strata::cli::container
