#include "coordinator/build_stage_state.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/numbers.h"

namespace strata::coordinator {

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

}  // namespace strata::coordinator
