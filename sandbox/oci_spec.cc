#include "sandbox/oci_spec.h"

#include <sys/resource.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace strata::sandbox {
namespace {

using Json = nlohmann::ordered_json;

// dockerd's own limit under systemd's LimitNOFILE=infinity, which Docker's
// containers inherit.
constexpr uint64_t kDockerNofile = 1048576;

Json KernelMount(const char* destination, const char* type, const char* source,
                 std::vector<std::string> options) {
  return Json{{"destination", destination},
              {"type", type},
              {"source", source},
              {"options", std::move(options)}};
}

Json BindMountJson(const std::string& source, const std::string& destination, bool readonly) {
  std::vector<std::string> options = {"rbind", "rprivate"};
  options.push_back(readonly ? "ro" : "rw");
  return Json{
      {"destination", destination}, {"type", "bind"}, {"source", source}, {"options", options}};
}

Json DeviceRule(bool allow, const char* type, int major, int minor) {
  Json rule{{"allow", allow}};
  if (type != nullptr) {
    rule["type"] = type;
    rule["major"] = major;
    rule["minor"] = minor;
  }
  rule["access"] = "rwm";
  return rule;
}

}  // namespace

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> kCaps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE",
  };
  return kCaps;
}

std::string HostsFileContent(const std::string& hostname) {
  return "127.0.0.1\tlocalhost " + hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n";
}

uint64_t NofileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_max == RLIM_INFINITY) {
    return kDockerNofile;
  }
  return std::min<uint64_t>(kDockerNofile, limit.rlim_max);
}

std::string BuildOciConfig(const RunSpec& spec, const ContainerSettings& settings,
                           const BundleFiles& files) {
  std::vector<std::string> env = spec.env;
  bool has_path = false;
  for (const std::string& e : env) has_path = has_path || e.rfind("PATH=", 0) == 0;
  if (!has_path) env.insert(env.begin(), kDefaultPath);

  Json user{{"uid", spec.uid}, {"gid", spec.gid}};
  if (!spec.additional_gids.empty()) user["additionalGids"] = spec.additional_gids;

  // Inheritable and ambient stay empty, as in Docker since CVE-2022-24769.
  const std::vector<std::string>& caps = DefaultCapabilities();
  Json process{
      {"terminal", spec.terminal},
      {"user", user},
      {"args", spec.args},
      {"env", env},
      {"cwd", spec.cwd.empty() ? "/" : spec.cwd},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits",
       Json::array(
           {{{"type", "RLIMIT_NOFILE"}, {"hard", settings.nofile}, {"soft", settings.nofile}}})},
      {"noNewPrivileges", false},
  };

  Json mounts = Json::array({
      KernelMount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      KernelMount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      KernelMount("/dev/pts", "devpts", "devpts",
                  {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      KernelMount("/dev/shm", "tmpfs", "shm",
                  {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      KernelMount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      KernelMount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      KernelMount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "ro"}),
  });
  mounts.push_back(BindMountJson(files.hosts, "/etc/hosts", true));
  mounts.push_back(BindMountJson(files.resolv_conf, "/etc/resolv.conf", true));
  for (const BindMount& m : spec.mounts) {
    mounts.push_back(BindMountJson(m.source, m.destination, m.readonly));
  }

  Json namespaces = Json::array();
  for (const char* type : {"pid", "ipc", "uts", "mount"}) namespaces.push_back({{"type", type}});
  if (spec.network == NetworkMode::kNone) namespaces.push_back({{"type", "network"}});

  // Docker's device cgroup: deny all, then the standard character devices
  // (runc adds its default devices such as /dev/full and /dev/pts/*).
  Json devices = Json::array({
      DeviceRule(false, nullptr, 0, 0),
      DeviceRule(true, "c", 1, 5),
      DeviceRule(true, "c", 1, 3),
      DeviceRule(true, "c", 1, 9),
      DeviceRule(true, "c", 1, 8),
      DeviceRule(true, "c", 5, 0),
      DeviceRule(true, "c", 5, 1),
      DeviceRule(false, "c", 10, 229),
  });

  Json linux{
      {"namespaces", namespaces},
      {"cgroupsPath", settings.cgroups_path},
      {"resources", {{"devices", devices}}},
      {"maskedPaths",
       {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };

  Json config{
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", spec.rootfs}, {"readonly", spec.readonly_rootfs}}},
      {"hostname", settings.hostname},
      {"mounts", mounts},
      {"linux", linux},
  };
  // JSON cannot hold bytes that are not UTF-8: they become U+FFFD, as Go's
  // encoding/json writes them for Docker and BuildKit (runc reads the same).
  return config.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace strata::sandbox
