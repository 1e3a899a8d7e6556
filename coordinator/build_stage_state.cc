#include "coordinator/build_stage_state.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "common/numbers.h"
#include "dockerfile/go_strings.h"
#include "dockerfile/step_expander.h"

namespace strata::coordinator {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? " " : "") + words[i];
  return out;
}

}  // namespace

std::string Location(const dockerfile::BuildPlan& plan, int line) {
  return plan.filename + ":" + std::to_string(line) + ": ";
}

ExecState ExecStateOf(const StageState& s, const dockerfile::BuildPlan& plan) {
  const image::ContainerConfig& c = s.config.config.config;
  std::map<std::string, std::string> env;
  for (const std::string& kv : c.env) {
    size_t eq = kv.find('=');
    env[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  for (const auto& [k, v] : s.args) env.try_emplace(k, v);  // ENV wins over ARG
  for (const auto& [k, v] : plan.proxy_env) env.try_emplace(k, v);
  ExecState state;
  state.env.assign(env.begin(), env.end());
  state.user = c.user;
  state.workdir = c.working_dir.empty() ? "/" : c.working_dir;
  if (c.shell) state.shell = *c.shell;
  return state;
}

void RecordArgs(const dockerfile::BuildStep& step, StageState* s) {
  for (const auto& change : step.changes) {
    if (change.field != "BuildArg") continue;
    size_t eq = change.value.find('=');
    if (eq == std::string::npos) continue;
    std::string name = change.value.substr(0, eq);
    std::erase_if(s->args, [&](const auto& kv) { return kv.first == name; });
    s->args.emplace_back(name, change.value.substr(eq + 1));
  }
}

// BuildKit's created_by: "RUN |1 V=x /bin/sh -c make # buildkit",
// "COPY a b /dst # buildkit", metadata steps as written.
std::string CreatedBy(const dockerfile::BuildStep& step, const StageState& s,
                      const ExecState& state) {
  const dockerfile::Command& command = step.command;
  if (const auto* run = command.As<dockerfile::RunCommand>()) {
    std::string prefix;
    if (!s.args.empty()) {
      prefix = "|" + std::to_string(s.args.size()) + " ";
      for (const auto& [k, v] : s.args) prefix += k + "=" + v + " ";
    }
    return "RUN " + prefix + Join(CommandArgv(run->command, state.shell)) + " # buildkit";
  }
  if (const auto* copy = command.As<dockerfile::CopyCommand>()) {
    return "COPY " + Join(copy->sources) + " " + copy->dest + " # buildkit";
  }
  if (const auto* add = command.As<dockerfile::AddCommand>()) {
    return "ADD " + Join(add->sources) + " " + add->dest + " # buildkit";
  }
  return step.text;
}

namespace {

// Go's fmt %q of a []string: ["a" "b"].
std::string GoQuotedList(const std::vector<std::string>& words) {
  std::string out = "[";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += " ";
    out += dockerfile::go::Quote(words[i]);
  }
  return out + "]";
}

// Go's fmt %v of a []string: [a b].
std::string GoList(const std::vector<std::string>& words) { return "[" + Join(words) + "]"; }

bool HasVariable(const std::string& s) { return s.find('$') != std::string::npos; }

}  // namespace

std::optional<std::string> MetadataCreatedBy(const dockerfile::BuildStep& step,
                                             const StageState& after) {
  const dockerfile::Command& command = step.command;
  const image::ContainerConfig& c = after.config.config.config;
  if (command.As<dockerfile::OnbuildCommand>()) return std::nullopt;
  if (command.As<dockerfile::CmdCommand>()) {
    return "CMD " + GoQuotedList(c.cmd.value_or(std::vector<std::string>{}));
  }
  if (command.As<dockerfile::EntrypointCommand>()) {
    return "ENTRYPOINT " + GoQuotedList(c.entrypoint.value_or(std::vector<std::string>{}));
  }
  if (command.As<dockerfile::UserCommand>()) return "USER " + c.user;
  if (command.As<dockerfile::WorkdirCommand>()) return "WORKDIR " + c.working_dir;
  if (command.As<dockerfile::StopSignalCommand>()) return "STOPSIGNAL " + c.stop_signal;
  if (const auto* shell = command.As<dockerfile::ShellCommand>()) return "SHELL " + GoList(shell->shell);
  if (const auto* m = command.As<dockerfile::MaintainerCommand>()) return "MAINTAINER " + m->maintainer;
  if (const auto* env = command.As<dockerfile::EnvCommand>()) {
    std::string out = "ENV";
    for (const auto& kv : env->vars) {
      std::string value = kv.value;
      for (const auto& e : c.env) {
        if (e.compare(0, kv.key.size() + 1, kv.key + "=") == 0) value = e.substr(kv.key.size() + 1);
      }
      out += " " + kv.key + "=" + value;
    }
    return out;
  }
  if (const auto* label = command.As<dockerfile::LabelCommand>()) {
    std::string out = "LABEL";
    for (const auto& kv : label->labels) {
      if (HasVariable(kv.key)) return step.text;
      auto it = c.labels.find(kv.key);
      out += " " + kv.key + "=" + (it == c.labels.end() ? kv.value : it->second);
    }
    return out;
  }
  if (const auto* expose = command.As<dockerfile::ExposeCommand>()) {
    std::set<std::string> ports;
    for (const auto& spec : expose->ports) {
      if (HasVariable(spec)) return step.text;
      Result<std::vector<std::string>> normal = dockerfile::NormalizePorts(spec);
      if (!normal.ok()) return step.text;
      ports.insert(normal->begin(), normal->end());
    }
    std::string out = "EXPOSE map[";
    bool first = true;
    for (const auto& p : ports) {
      out += (first ? "" : " ") + p + ":{}";
      first = false;
    }
    return out + "]";
  }
  if (const auto* volume = command.As<dockerfile::VolumeCommand>()) {
    for (const auto& p : volume->paths) {
      if (HasVariable(p)) return step.text;
    }
    return "VOLUME " + GoList(volume->paths);
  }
  if (const auto* arg = command.As<dockerfile::ArgCommand>()) {
    std::vector<std::string> parts;
    for (const auto& decl : arg->args) {
      std::string part = decl.name;
      auto it = std::find_if(after.args.begin(), after.args.end(),
                             [&](const auto& kv) { return kv.first == decl.name; });
      if (it != after.args.end()) {
        part += "=" + it->second;
      } else if (decl.default_value) {
        part += "=" + *decl.default_value;
      }
      parts.push_back(part);
    }
    return "ARG " + Join(parts);
  }
  return step.text;
}

// os/arch[/variant] of a platform string.
void SetPlatform(const std::string& platform, image::ImageConfig* config) {
  size_t a = platform.find('/');
  config->os = platform.substr(0, a);
  if (a == std::string::npos) return;
  size_t b = platform.find('/', a + 1);
  config->architecture = platform.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  if (b != std::string::npos) config->variant = platform.substr(b + 1);
}

void SetScratchConfig(image::ImageConfig* config) {
  config->config.env = {dockerfile::kScratchPathEnv};
  config->config.working_dir = "/";
}

// --from=N or --from=NAME naming a stage: its index; -1 for an image.
int FindStage(const dockerfile::BuildPlan& plan, const std::string& from) {
  if (!from.empty() && std::all_of(from.begin(), from.end(), ::isdigit)) {
    // The planner checked the index; a number out of range names no stage.
    return static_cast<int>(ParseInt64InRange(from, 0, INT32_MAX).value_or(-1));
  }
  std::string lower = from;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  for (const dockerfile::BuildStage& stage : plan.stages) {
    if (!stage.name.empty() && stage.name == lower) return stage.index;
  }
  return -1;
}

std::string EntryMetadata(bool empty) { return nlohmann::json{{"v", 1}, {"empty", empty}}.dump(); }

bool EntryIsEmpty(const cache::CacheEntry& entry) {
  nlohmann::json j = nlohmann::json::parse(entry.metadata, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.value("empty", false);
}

Result<std::optional<cache::CacheEntry>> LookupStepEntry(cache::Store& store, const Digest& key,
                                                         const std::string& ns) {
  ASSIGN_OR_RETURN(std::optional<cache::CacheEntry> found, store.metadata().GetCacheEntry(key, ns));
  if (!found) {
    ASSIGN_OR_RETURN(std::vector<cache::CacheEntry> all, store.metadata().GetCacheEntries(key));
    for (auto& e : all) {
      if (e.shared) {
        found = std::move(e);
        break;
      }
    }
  }
  if (found && !found->layer_digest.empty()) {
    ASSIGN_OR_RETURN(bool present, store.blobs().Has(found->layer_digest));
    if (!present) return std::optional<cache::CacheEntry>();
  }
  return found;
}

Result<cache::CacheEntry> RecordStepEntry(cache::Store& store, const Digest& key,
                                          const std::string& ns, const StepOutcome& outcome,
                                          int64_t now_nanos) {
  TRY(cache::VerifyBlob(store.blobs(), outcome.layer.digest));
  cache::CacheEntry entry;
  entry.key = key;
  entry.ns = ns;
  entry.layer_digest = outcome.layer.digest;
  entry.diff_id = outcome.layer.diff_id;
  entry.size = outcome.layer.size;
  entry.uncompressed_size = outcome.layer.uncompressed_size;
  entry.media_type = outcome.layer.media_type;
  entry.metadata = EntryMetadata(outcome.empty);
  entry.created_unix_nanos = now_nanos;
  TRY(store.PutCacheEntry(entry));
  return entry;
}

}  // namespace strata::coordinator
