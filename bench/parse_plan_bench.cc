// Parse + Plan of a generated 10,000-instruction Dockerfile.
//
//   build/bin/strata_bench_parse_plan
//
// The Dockerfile has 20 stages of 500 instructions each: FROM (the previous
// stage or an image), ARG, ENV, RUN, COPY (some --from earlier stages),
// LABEL and WORKDIR, most with variable references. Runs a few seconds at
// most by default (a minimum of 0.1 s of CPU time per benchmark unless
// --benchmark_min_time is given).

#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "dockerfile/parser.h"
#include "dockerfile/plan.h"

namespace {

using strata::dockerfile::Parse;
using strata::dockerfile::Plan;
using strata::dockerfile::PlanOptions;

std::string GenerateDockerfile(int instructions, int stages) {
  std::string out = "ARG BASE=alpine:3.19\nARG VERSION=1.0\n";
  int count = 2;
  int per_stage = instructions / stages;
  for (int s = 0; s < stages; ++s) {
    std::string n = std::to_string(s);
    if (s == 0 || s % 5 == 0) {
      out += "FROM ${BASE} AS stage" + n + "\n";
    } else {
      out += "FROM stage" + std::to_string(s - 1) + " AS stage" + n + "\n";
    }
    out += "ARG VERSION\n";
    count += 2;
    for (int i = 2; i < per_stage && count < instructions; ++i, ++count) {
      std::string k = std::to_string(i);
      switch (i % 7) {
        case 0:
          out += "ENV VAR" + k + "=/opt/${VERSION}/" + k + " APP_HOME=/app" + n + "\n";
          break;
        case 1:
          out += "RUN echo building $VAR" + k + " && make -C /src/" + k + " all\n";
          break;
        case 2:
          if (s > 0 && i % 14 == 2) {
            out += "COPY --from=stage" + std::to_string(s - 1) + " /out/" + k + " ${APP_HOME}/" +
                   k + "\n";
          } else {
            out += "COPY --chown=app:app src/" + k + " ${APP_HOME}/src/" + k + "\n";
          }
          break;
        case 3:
          out += "LABEL org.example.version=$VERSION org.example.step=\"" + k + "\"\n";
          break;
        case 4:
          out += "WORKDIR ${APP_HOME}/w" + k + "\n";
          break;
        case 5:
          out += "ARG OPT" + k + "=${VERSION}-" + k + "\n";
          break;
        case 6:
          out += "RUN --mount=type=cache,target=/cache/$VERSION ./configure --opt=" + k + "\n";
          break;
      }
    }
  }
  return out;
}

const std::string& Dockerfile() {
  static const std::string text = GenerateDockerfile(10000, 20);
  return text;
}

void BM_Parse(benchmark::State& state) {
  const std::string& text = Dockerfile();
  for (auto _ : state) {
    auto ast = Parse(text);
    if (!ast.ok()) state.SkipWithError(ast.status().message().c_str());
    benchmark::DoNotOptimize(ast);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond);

void BM_Plan(benchmark::State& state) {
  auto ast = Parse(Dockerfile());
  if (!ast.ok()) {
    state.SkipWithError(ast.status().message().c_str());
    return;
  }
  PlanOptions opts;
  opts.build_args = {{"VERSION", "2.0"}};
  for (auto _ : state) {
    auto plan = Plan(*ast, opts);
    if (!plan.ok()) state.SkipWithError(plan.status().message().c_str());
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_Plan)->Unit(benchmark::kMillisecond);

void BM_ParseAndPlan(benchmark::State& state) {
  const std::string& text = Dockerfile();
  PlanOptions opts;
  opts.build_args = {{"VERSION", "2.0"}};
  size_t steps = 0;
  for (auto _ : state) {
    auto plan = strata::dockerfile::ParseAndPlan(text, opts);
    if (!plan.ok()) {
      state.SkipWithError(plan.status().message().c_str());
      break;
    }
    steps = 0;
    for (const auto& stage : plan->stages) steps += stage.steps.size() + 1;
    benchmark::DoNotOptimize(plan);
  }
  state.counters["instructions"] = static_cast<double>(steps);
}
BENCHMARK(BM_ParseAndPlan)->Unit(benchmark::kMillisecond);

}  // namespace

// Like BENCHMARK_MAIN, with a short default minimum time so that a plain run
// takes a few seconds.
int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  bool has_min_time = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--benchmark_min_time", 20) == 0) has_min_time = true;
  }
  static char kMinTime[] = "--benchmark_min_time=0.1";
  if (!has_min_time) args.push_back(kMinTime);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
