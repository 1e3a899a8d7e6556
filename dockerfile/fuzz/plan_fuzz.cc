// libFuzzer target: any Dockerfile, with any build options, must parse and
// plan or fail cleanly (docs/fuzzing.md). The first 4 bytes of the input
// choose the options (filename, --target, --build-arg values, platforms, a
// base image scope); the rest is the Dockerfile. A successful plan's ONBUILD
// triggers are then expanded as a stage built FROM the resulting image would
// expand them.
//
// Invariants: no crash or sanitizer report; every error and warning starts
// with "FILE:"; a successful plan's target and stage references are in range.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/onbuild_trigger.h"
#include "dockerfile/plan.h"
#include "dockerfile/plan_format.h"

namespace {

using strata::Result;
using strata::dockerfile::BaseImageScope;
using strata::dockerfile::BaseKind;
using strata::dockerfile::BuildPlan;
using strata::dockerfile::BuildStep;
using strata::dockerfile::PlanOptions;
using strata::dockerfile::TriggerScope;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The word after `keyword` (case-insensitive, at a line start) on each line:
// the candidates for --target ("FROM x AS name") and --build-arg ("ARG name").
std::vector<std::string> Words(std::string_view content, std::string_view keyword, bool after_as) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < content.size() && out.size() < 16) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string line;
    for (char c : content.substr(pos, end - pos)) line += Lower(c);
    pos = end + 1;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || !StartsWith(std::string_view(line).substr(start), keyword)) {
      continue;
    }
    size_t at = start + keyword.size();
    if (after_as) {
      at = line.find(" as ", at);
      if (at == std::string::npos) continue;
      at += 4;
    }
    at = line.find_first_not_of(" \t", at);
    if (at == std::string::npos) continue;
    size_t stop = line.find_first_of(" \t=\r", at);
    out.push_back(line.substr(at, stop == std::string::npos ? std::string::npos : stop - at));
  }
  return out;
}

constexpr const char* kArgValues[] = {
    "",     "1",      "a b",  "$HOME", "${X:-y}", "../../x", "linux/arm64", "alpine:3.19",
    "\\$x", "/a/b/c", "0x10", "-1",    "\"q\"",   "a=b",     "x\ny",        "99999999999",
};
constexpr const char* kBuildPlatforms[] = {"linux/amd64", "linux/arm64/v8", "windows/amd64",
                                           "linux/arm/v7"};
constexpr const char* kTargetPlatforms[] = {"", "linux/arm64", "linux/ppc64le", "bad//"};
constexpr const char* kExtraArgs[] = {"HTTP_PROXY", "no_proxy", "TARGETPLATFORM", "UNUSED"};

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckPlan(const BuildPlan& plan, const PlanOptions& opts) {
  const int count = static_cast<int>(plan.stages.size());
  Check(count > 0);
  Check(plan.target >= 0 && plan.target < count);
  Check(plan.stages[plan.target].needed);
  for (int i = 0; i < count; ++i) {
    const auto& stage = plan.stages[i];
    Check(stage.index == i);
    if (stage.base.kind == BaseKind::kStage) Check(stage.base.stage >= 0 && stage.base.stage < i);
    for (int dep : stage.depends_on) Check(dep >= 0 && dep < count && dep != i);
    for (const BuildStep& step : stage.steps) Check(step.start_line <= step.end_line);
  }
  for (const std::string& w : plan.warnings) Check(StartsWith(w, opts.filename + ":"));
  std::string text = strata::dockerfile::FormatPlan(plan);
  Check(!text.empty());
}

// The triggers the plan's stages record, run as the first steps of a stage
// built FROM their image.
void ExpandTriggers(const BuildPlan& plan) {
  for (const auto& stage : plan.stages) {
    if (stage.onbuild_triggers.empty()) continue;
    TriggerScope scope;
    scope.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
    scope.build_args = plan.build_args;
    scope.global_args = plan.global_args;
    Result<std::vector<BuildStep>> steps =
        strata::dockerfile::ExpandOnbuildTriggers(stage.onbuild_triggers, scope, stage.start_line);
    if (!steps.ok()) {
      Check(!steps.status().message().empty());
      continue;
    }
    for (const BuildStep& step : *steps) {
      Check(step.from_onbuild);
      Check(step.start_line == stage.start_line && step.end_line == stage.start_line);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const uint8_t h0 = data[0], h1 = data[1], h2 = data[2], h3 = data[3];
  std::string_view content(reinterpret_cast<const char*>(data) + 4, size - 4);

  PlanOptions opts;
  if (h3 & 0x20) opts.filename = "ctx/Dockerfile.dev";
  // --target: none, a stage name the Dockerfile declares, or a name it lacks.
  std::vector<std::string> names = Words(content, "from", /*after_as=*/true);
  if ((h0 & 0x03) == 1 && !names.empty()) opts.target = names[(h0 >> 2) % names.size()];
  if ((h0 & 0x03) == 2) opts.target = "no-such-stage";
  // --build-arg: some of the declared ARG names, with awkward values.
  std::vector<std::string> args = Words(content, "arg", /*after_as=*/false);
  for (size_t i = 0; i < args.size() && i < 8; ++i) {
    if (h1 & (1u << i)) opts.build_args[args[i]] = kArgValues[(h2 + i) % 16];
  }
  if (h0 & 0x10) opts.build_args[kExtraArgs[(h0 >> 5) & 3]] = kArgValues[h2 % 16];
  opts.build_platform = kBuildPlatforms[h3 & 3];
  opts.target_platform = kTargetPlatforms[(h3 >> 2) & 3];
  if (h3 & 0x10) {
    // A base image that sets ENV, WORKDIR and SHELL for some names.
    opts.base_image = [](const std::string& image) -> std::optional<BaseImageScope> {
      if (image.empty() || image.size() % 2 == 0) return std::nullopt;
      return BaseImageScope{
          {"GOPATH=/go", "PATH=/go/bin:/usr/bin", "EMPTY="}, "/go/src", {"/bin/bash", "-c"}};
    };
  }

  Result<BuildPlan> plan = strata::dockerfile::ParseAndPlan(content, opts);
  if (!plan.ok()) {
    const std::string& msg = plan.status().message();
    Check(StartsWith(msg, opts.filename + ":"));
    return 0;
  }
  CheckPlan(*plan, opts);
  ExpandTriggers(*plan);
  return 0;
}
