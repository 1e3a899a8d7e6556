#pragma once

#include <string>
#include <vector>

#include "worker/runtime.h"

namespace strata::worker {

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

// The OCI runtime-spec config.json (version 1.0.2, as runc 1.1 reads it) for
// running `spec` with `hostname`, in cgroup `cgroups_path`. Docker's
// defaults apply: namespaces mount/pid/ipc/uts (+network for kNone), the
// default capability set, masked and read-only /proc paths, /dev, /dev/pts,
// /dev/shm, /dev/mqueue, /sys and /sys/fs/cgroup read-only, RLIMIT_NOFILE
// 1048576, no seccomp filter, no_new_privileges off. Pure: touches no file.
std::string BuildOciConfig(const RunSpec& spec, const std::string& hostname,
                           const std::string& cgroups_path, const BundleFiles& files);

// /etc/hosts for a container named `hostname`.
std::string HostsFileContent(const std::string& hostname);

}  // namespace strata::worker
