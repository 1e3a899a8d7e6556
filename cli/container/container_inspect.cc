#include "cli/container/container_inspect.h"

#include <sys/stat.h>

#include <utility>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace strata::cli::container {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kZeroTime[] = "0001-01-01T00:00:00Z";

std::string Time(int64_t ns) { return ns > 0 ? FormatRfc3339Nano(ns) : kZeroTime; }

// "0.0.0.0:80->80/tcp" -> {"80/tcp", {"HostIp": "0.0.0.0", "HostPort": "80"}}.
std::optional<std::pair<std::string, Json>> Binding(const std::string& entry) {
  size_t arrow = entry.find("->");
  if (arrow == std::string::npos) return std::nullopt;
  std::string host = entry.substr(0, arrow);
  size_t colon = host.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  Json b = {{"HostIp", host.substr(0, colon)}, {"HostPort", host.substr(colon + 1)}};
  return std::make_pair(entry.substr(arrow + 2), b);
}

Json PortMap(const std::vector<std::string>& ports) {
  Json map = Json::object();
  for (const auto& p : ports) {
    if (auto b = Binding(p)) {
      if (!map.contains(b->first)) map[b->first] = Json::array();
      map[b->first].push_back(b->second);
    }
  }
  return map;
}

Json OptionalList(const std::optional<std::vector<std::string>>& list) {
  return list ? Json(*list) : Json(nullptr);
}

}  // namespace

std::string InspectJson(const ContainerRecord& r, const InspectFacts& facts) {
  const image::ContainerConfig& c = r.config.config;
  std::vector<std::string> argv = r.Argv();
  Json args = Json::array();
  for (size_t i = 1; i < argv.size(); ++i) args.push_back(argv[i]);
  std::string status = facts.running ? "running" : StateName(r.state);
  if (!facts.running && status == "running") status = "exited";

  Json j;
  j["Id"] = r.id;
  j["Created"] = Time(r.created_ns);
  j["Path"] = argv.empty() ? "" : argv[0];
  j["Args"] = args;
  j["State"] = {{"Status", status},
                {"Running", facts.running},
                {"Paused", false},
                {"Restarting", false},
                {"OOMKilled", false},
                {"Dead", false},
                {"Pid", facts.running ? facts.pid : 0},
                {"ExitCode", facts.running ? 0 : r.exit_code},
                {"Error", r.error},
                {"StartedAt", Time(r.started_ns)},
                {"FinishedAt", facts.running ? kZeroTime : Time(r.finished_ns)}};
  j["Image"] = r.image_id;
  j["ResolvConfPath"] = facts.dir + "/bundle/resolv.conf";
  j["HostnamePath"] = "";
  j["HostsPath"] = facts.dir + "/bundle/hosts";
  j["LogPath"] = facts.dir + "/container.log";
  j["Name"] = "/" + r.name;
  j["RestartCount"] = 0;
  j["Driver"] = "overlay2";
  j["Platform"] = r.config.os.empty() ? "linux" : r.config.os;
  j["MountLabel"] = "";
  j["ProcessLabel"] = "";
  j["AppArmorProfile"] = "";
  j["ExecIDs"] = nullptr;
  j["HostConfig"] = {{"Binds", nullptr},
                     {"ContainerIDFile", ""},
                     {"LogConfig", {{"Type", "json-file"}, {"Config", Json::object()}}},
                     {"NetworkMode", "host"},
                     {"PortBindings", PortMap(r.ports)},
                     {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}},
                     {"AutoRemove", r.auto_remove},
                     {"VolumeDriver", ""},
                     {"VolumesFrom", nullptr},
                     {"Privileged", false},
                     {"PublishAllPorts", r.publish_all},
                     {"ReadonlyRootfs", false},
                     {"Runtime", "runc"}};
  std::string lower;
  for (const auto& d : facts.lower_dirs) lower += (lower.empty() ? "" : ":") + d;
  j["GraphDriver"] = {{"Data",
                       {{"LowerDir", lower},
                        {"MergedDir", facts.dir + "/merged"},
                        {"UpperDir", facts.dir + "/upper"},
                        {"WorkDir", facts.dir + "/work"}}},
                      {"Name", "overlay2"}};
  if (facts.size_rw) j["SizeRw"] = *facts.size_rw;
  if (facts.size_root_fs) j["SizeRootFs"] = *facts.size_root_fs;
  j["Mounts"] = Json::array();

  Json config;
  config["Hostname"] = r.Hostname();
  config["Domainname"] = "";
  config["User"] = c.user;
  config["AttachStdin"] = r.interactive;
  config["AttachStdout"] = true;
  config["AttachStderr"] = true;
  if (!c.exposed_ports.empty()) {
    Json exposed = Json::object();
    for (const auto& p : c.exposed_ports) exposed[p] = Json::object();
    config["ExposedPorts"] = exposed;
  }
  config["Tty"] = r.tty;
  config["OpenStdin"] = r.interactive;
  config["StdinOnce"] = r.interactive;
  config["Env"] = c.env;
  config["Cmd"] = OptionalList(c.cmd);
  config["Image"] = r.image;
  config["Volumes"] = nullptr;
  config["WorkingDir"] = c.working_dir;
  config["Entrypoint"] = OptionalList(c.entrypoint);
  config["OnBuild"] = nullptr;
  Json labels = Json::object();
  for (const auto& [k, v] : c.labels) labels[k] = v;
  config["Labels"] = labels;
  if (!c.stop_signal.empty()) config["StopSignal"] = c.stop_signal;
  j["Config"] = config;

  Json host_network = {
      {"IPAMConfig", nullptr}, {"Links", nullptr},        {"Aliases", nullptr},
      {"MacAddress", ""},      {"NetworkID", ""},         {"EndpointID", ""},
      {"Gateway", ""},         {"IPAddress", ""},         {"IPPrefixLen", 0},
      {"IPv6Gateway", ""},     {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0},
      {"DriverOpts", nullptr}};
  j["NetworkSettings"] = {{"Bridge", ""},
                          {"SandboxID", ""},
                          {"SandboxKey", ""},
                          {"Ports", facts.running ? PortMap(r.ports) : Json::object()},
                          {"HairpinMode", false},
                          {"LinkLocalIPv6Address", ""},
                          {"LinkLocalIPv6PrefixLen", 0},
                          {"SecondaryIPAddresses", nullptr},
                          {"SecondaryIPv6Addresses", nullptr},
                          {"EndpointID", ""},
                          {"Gateway", ""},
                          {"GlobalIPv6Address", ""},
                          {"GlobalIPv6PrefixLen", 0},
                          {"IPAddress", ""},
                          {"IPPrefixLen", 0},
                          {"IPv6Gateway", ""},
                          {"MacAddress", ""},
                          {"Networks", {{"host", host_network}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace strata::cli::container
