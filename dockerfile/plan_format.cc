#include "dockerfile/plan_format.h"

namespace strata::dockerfile {
namespace {

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

std::string Lines(int start, int end) {
  std::string out = std::to_string(start);
  if (end > start) out += "-" + std::to_string(end);
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string FormatPlan(const BuildPlan& plan) {
  std::string out = "plan " + plan.filename + "\n";
  out += "platforms: build " + plan.build_platform + ", target " + plan.target_platform + "\n";
  if (plan.target >= 0) {
    out += "target: stage " + std::to_string(plan.target) + " " +
           plan.stages[plan.target].DisplayName() + "\n";
  }
  for (const BuildStage& stage : plan.stages) {
    out += "stage " + std::to_string(stage.index) + " " + stage.DisplayName() + ": ";
    out += stage.needed ? (stage.index == plan.target ? "needed, target" : "needed") : "pruned";
    out += "\n  base: ";
    switch (stage.base.kind) {
      case BaseKind::kScratch:
        out += "scratch";
        break;
      case BaseKind::kImage:
        out += "image " + stage.base.image;
        break;
      case BaseKind::kStage:
        out += "stage " + std::to_string(stage.base.stage) + " " +
               plan.stages[stage.base.stage].DisplayName();
        break;
    }
    out += "\n  platform: " + stage.platform + "\n";
    std::vector<std::string> deps;
    for (int d : stage.depends_on) {
      deps.push_back(std::to_string(d) + " " + plan.stages[d].DisplayName());
    }
    out += "  depends-on: " + (deps.empty() ? std::string("none") : Join(deps)) + "\n";
    if (!stage.image_sources.empty()) out += "  images: " + Join(stage.image_sources) + "\n";
    for (const std::string& trigger : stage.onbuild_triggers) {
      out += "  onbuild: " + OneLine(trigger) + "\n";
    }
    out += "  " + Lines(stage.start_line, stage.end_line) + ": " + OneLine(stage.from_text) + "\n";
    for (const BuildStep& step : stage.steps) {
      out += "  " + Lines(step.start_line, step.end_line) + ": " +
             (step.from_onbuild ? "[onbuild] " : "") + OneLine(step.text) + "\n";
    }
  }
  if (!plan.unused_build_args.empty()) {
    out += "unused build-args: " + Join(plan.unused_build_args) + "\n";
  }
  if (!plan.proxy_env.empty()) {
    std::vector<std::string> names;
    for (const auto& [name, value] : plan.proxy_env) names.push_back(name);
    out += "proxy build-args: " + Join(names) + "\n";
  }
  for (const std::string& w : plan.warnings) out += "warning: " + OneLine(w) + "\n";
  return out;
}

}  // namespace strata::dockerfile
