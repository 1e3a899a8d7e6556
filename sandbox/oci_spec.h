#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/runtime.h"

namespace strata::sandbox {

// Host files the bundle provides to the container.
struct BundleFiles {
  std::string hosts;        // bind-mounted read-only at /etc/hosts
  std::string resolv_conf;  // bind-mounted read-only at /etc/resolv.conf
};

// The capabilities Docker grants a container by default (moby
// oci/caps/defaults.go), in its order.
const std::vector<std::string>& DefaultCapabilities();

// The PATH Docker sets when an image defines none.
inline constexpr char kDefaultPath[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Per-container values that do not come from the RunSpec.
struct ContainerSettings {
  std::string hostname;
  std::string cgroups_path;  // linux.cgroupsPath
  // RLIMIT_NOFILE soft and hard. Docker's containers inherit dockerd's
  // 1048576; a runtime without CAP_SYS_RESOURCE cannot raise its own hard
  // limit, so see NofileLimit().
  uint64_t nofile = 1048576;
};

// 1048576, or this process's hard RLIMIT_NOFILE when lower.
uint64_t NofileLimit();

// The OCI runtime-spec config.json (version 1.0.2, as runc 1.1 reads it) for
// running `spec`. Docker's defaults apply: namespaces mount/pid/ipc/uts
// (+network for kNone), the default capability set, masked and read-only
// /proc paths, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys and
// /sys/fs/cgroup read-only, RLIMIT_NOFILE, no seccomp filter,
// no_new_privileges off. Pure: touches no file.
std::string BuildOciConfig(const RunSpec& spec, const ContainerSettings& settings,
                           const BundleFiles& files);

// /etc/hosts for a container named `hostname`.
std::string HostsFileContent(const std::string& hostname);

}  // namespace strata::sandbox
