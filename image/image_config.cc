#include "image/image_config.h"

#include "image/json_fields.h"

namespace strata::image {

using json_internal::FieldReader;
using json_internal::Json;

namespace {

void PutOptionalList(Json& out, const char* key,
                     const std::optional<std::vector<std::string>>& list) {
  if (list) out[key] = *list;
}

Json ContainerConfigToJson(const ContainerConfig& c) {
  Json j = Json::object();
  json_internal::PutString(j, "User", c.user);
  json_internal::PutKeySet(j, "ExposedPorts", c.exposed_ports);
  json_internal::PutStringList(j, "Env", c.env);
  PutOptionalList(j, "Entrypoint", c.entrypoint);
  PutOptionalList(j, "Cmd", c.cmd);
  json_internal::PutKeySet(j, "Volumes", c.volumes);
  json_internal::PutString(j, "WorkingDir", c.working_dir);
  json_internal::PutStringMap(j, "Labels", c.labels);
  json_internal::PutString(j, "StopSignal", c.stop_signal);
  if (c.args_escaped) j["ArgsEscaped"] = true;
  if (c.healthcheck) {
    const Healthcheck& h = *c.healthcheck;
    Json hj = Json::object();
    json_internal::PutStringList(hj, "Test", h.test);
    if (h.interval) hj["Interval"] = h.interval;
    if (h.timeout) hj["Timeout"] = h.timeout;
    if (h.start_period) hj["StartPeriod"] = h.start_period;
    if (h.start_interval) hj["StartInterval"] = h.start_interval;
    if (h.retries) hj["Retries"] = h.retries;
    j["Healthcheck"] = std::move(hj);
  }
  json_internal::PutStringList(j, "OnBuild", c.on_build);
  PutOptionalList(j, "Shell", c.shell);
  return j;
}

Status ContainerConfigFromJson(const FieldReader& r, ContainerConfig* c) {
  TRY(r.String("User", &c->user));
  TRY(r.KeySet("ExposedPorts", &c->exposed_ports));
  TRY(r.StringList("Env", &c->env));
  TRY(r.OptionalStringList("Entrypoint", &c->entrypoint));
  TRY(r.OptionalStringList("Cmd", &c->cmd));
  TRY(r.KeySet("Volumes", &c->volumes));
  TRY(r.String("WorkingDir", &c->working_dir));
  TRY(r.StringMap("Labels", &c->labels));
  TRY(r.String("StopSignal", &c->stop_signal));
  TRY(r.Bool("ArgsEscaped", &c->args_escaped));
  TRY(r.StringList("OnBuild", &c->on_build));
  TRY(r.OptionalStringList("Shell", &c->shell));
  ASSIGN_OR_RETURN(const Json* hc, r.Object("Healthcheck"));
  if (hc != nullptr) {
    FieldReader h(*hc, r.where(), r.Path("Healthcheck"));
    Healthcheck check;
    TRY(h.StringList("Test", &check.test));
    TRY(h.Int("Interval", &check.interval));
    TRY(h.Int("Timeout", &check.timeout));
    TRY(h.Int("StartPeriod", &check.start_period));
    TRY(h.Int("StartInterval", &check.start_interval));
    TRY(h.Int("Retries", &check.retries));
    c->healthcheck = std::move(check);
  }
  return Status::OK();
}

}  // namespace

std::string ImageConfig::ToJson() const {
  Json j = Json::object();
  json_internal::PutString(j, "created", created);
  json_internal::PutString(j, "author", author);
  j["architecture"] = architecture;
  j["os"] = os;
  json_internal::PutString(j, "os.version", os_version);
  json_internal::PutString(j, "variant", variant);
  j["config"] = ContainerConfigToJson(config);
  Json rootfs_json = Json::object();
  rootfs_json["type"] = rootfs.type;
  Json ids = Json::array();
  for (const Digest& d : rootfs.diff_ids) ids.push_back(d.ToString());
  rootfs_json["diff_ids"] = std::move(ids);
  j["rootfs"] = std::move(rootfs_json);
  if (!history.empty()) {
    Json list = Json::array();
    for (const HistoryEntry& h : history) {
      Json hj = Json::object();
      json_internal::PutString(hj, "created", h.created);
      json_internal::PutString(hj, "created_by", h.created_by);
      json_internal::PutString(hj, "author", h.author);
      json_internal::PutString(hj, "comment", h.comment);
      if (h.empty_layer) hj["empty_layer"] = true;
      list.push_back(std::move(hj));
    }
    j["history"] = std::move(list);
  }
  return json_internal::Dump(j);
}

Digest ImageConfig::ComputeDigest() const { return Digest::Sha256Of(ToJson()); }

Result<ImageConfig> ImageConfig::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json json, json_internal::ParseObject(text, "image config"));
  FieldReader r(json, "image config", "");
  ImageConfig ic;
  TRY(r.String("created", &ic.created));
  TRY(r.String("author", &ic.author));
  TRY(r.String("architecture", &ic.architecture, /*required=*/true));
  TRY(r.String("os", &ic.os, /*required=*/true));
  TRY(r.String("os.version", &ic.os_version));
  TRY(r.String("variant", &ic.variant));
  ASSIGN_OR_RETURN(const Json* config, r.Object("config"));
  if (config != nullptr) {
    TRY(ContainerConfigFromJson(FieldReader(*config, r.where(), "config"), &ic.config));
  }
  ASSIGN_OR_RETURN(const Json* rootfs, r.Object("rootfs", /*required=*/true));
  FieldReader rr(*rootfs, r.where(), "rootfs");
  TRY(rr.String("type", &ic.rootfs.type, /*required=*/true));
  if (ic.rootfs.type != "layers") {
    return rr.Error("type", "must be \"layers\", got \"" + ic.rootfs.type + "\"");
  }
  std::vector<std::string> ids;
  TRY(rr.StringList("diff_ids", &ids));
  for (size_t i = 0; i < ids.size(); ++i) {
    Result<Digest> d = Digest::Parse(ids[i]);
    if (!d.ok()) return rr.Error("diff_ids[" + std::to_string(i) + "]", d.status().message());
    ic.rootfs.diff_ids.push_back(std::move(*d));
  }
  ASSIGN_OR_RETURN(const Json* history, r.Array("history"));
  if (history != nullptr) {
    for (size_t i = 0; i < history->size(); ++i) {
      std::string key = "history[" + std::to_string(i) + "]";
      const Json& item = (*history)[i];
      if (!item.is_object()) {
        return r.Error(key, std::string("expected an object, got ") + item.type_name());
      }
      FieldReader h(item, r.where(), key);
      HistoryEntry e;
      TRY(h.String("created", &e.created));
      TRY(h.String("created_by", &e.created_by));
      TRY(h.String("author", &e.author));
      TRY(h.String("comment", &e.comment));
      TRY(h.Bool("empty_layer", &e.empty_layer));
      ic.history.push_back(std::move(e));
    }
  }
  return ic;
}

}  // namespace strata::image
