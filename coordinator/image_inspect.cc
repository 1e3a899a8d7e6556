#include "coordinator/image_inspect.h"

#include <set>

#include "coordinator/image_resolver.h"

namespace strata::coordinator {
namespace {

using Json = nlohmann::ordered_json;

Json NullOr(const std::optional<std::vector<std::string>>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json SetAsObject(const std::set<std::string>& keys) {
  if (keys.empty()) return nullptr;
  Json o = Json::object();
  for (const auto& k : keys) o[k] = Json::object();
  return o;
}

}  // namespace

Json ContainerConfigJson(const image::ContainerConfig& c) {
  Json j;
  j["Hostname"] = "";
  j["Domainname"] = "";
  j["User"] = c.user;
  j["AttachStdin"] = false;
  j["AttachStdout"] = false;
  j["AttachStderr"] = false;
  if (!c.exposed_ports.empty()) j["ExposedPorts"] = SetAsObject(c.exposed_ports);
  j["Tty"] = false;
  j["OpenStdin"] = false;
  j["StdinOnce"] = false;
  j["Env"] = c.env.empty() ? Json(nullptr) : Json(c.env);
  j["Cmd"] = NullOr(c.cmd);
  if (c.healthcheck) {
    Json h;
    h["Test"] = c.healthcheck->test;
    if (c.healthcheck->interval) h["Interval"] = c.healthcheck->interval;
    if (c.healthcheck->timeout) h["Timeout"] = c.healthcheck->timeout;
    if (c.healthcheck->start_period) h["StartPeriod"] = c.healthcheck->start_period;
    if (c.healthcheck->start_interval) h["StartInterval"] = c.healthcheck->start_interval;
    if (c.healthcheck->retries) h["Retries"] = c.healthcheck->retries;
    j["Healthcheck"] = h;
  }
  if (c.args_escaped) j["ArgsEscaped"] = true;
  j["Image"] = "";
  j["Volumes"] = SetAsObject(c.volumes);
  j["WorkingDir"] = c.working_dir;
  j["Entrypoint"] = NullOr(c.entrypoint);
  j["OnBuild"] = c.on_build.empty() ? Json(nullptr) : Json(c.on_build);
  j["Labels"] = c.labels.empty() ? Json(nullptr) : Json(c.labels);
  if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
  if (c.shell) j["Shell"] = *c.shell;
  return j;
}

Json InspectJson(const cache::ImageRecord& record, const image::ImageConfig& config,
                 const std::vector<std::string>& tags, uint64_t size) {
  Json j;
  j["Id"] = record.id.ToString();
  RepoNames names = RepoNamesOf(record, tags);
  j["RepoTags"] = names.tags;
  j["RepoDigests"] = names.digests;
  j["Parent"] = "";
  j["Comment"] = config.history.empty() ? "" : config.history.back().comment;
  j["Created"] = config.created;
  j["DockerVersion"] = "";
  j["Author"] = config.author;
  j["Config"] = ContainerConfigJson(config.config);
  j["Architecture"] = config.architecture;
  if (!config.variant.empty()) j["Variant"] = config.variant;
  j["Os"] = config.os;
  j["Size"] = size;
  j["GraphDriver"] = {{"Data", nullptr}, {"Name", "overlayfs"}};
  Json layers = Json::array();
  for (const auto& d : config.rootfs.diff_ids) layers.push_back(d.ToString());
  j["RootFS"] = {{"Type", config.rootfs.type}, {"Layers", layers}};
  j["Metadata"] = {{"LastTagTime", "0001-01-01T00:00:00Z"}};
  return j;
}

}  // namespace strata::coordinator
