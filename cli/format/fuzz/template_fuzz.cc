// libFuzzer target: any --format template must parse and run, or fail
// cleanly, over a document shaped like `image inspect` output
// (docs/fuzzing.md). Run with -rss_limit_mb=2048 -malloc_limit_mb=512 so
// that a template asking for an enormous allocation is a finding.
//
// Invariants: no crash or sanitizer report; every error reads "template: ...";
// the header rendering (Docker's HeaderFunctions) never fails the process.
//
// `{{range N}}` loops N times, as in Go, so `{{range 9999999999999}}` runs
// for hours: the user's own template, a hang of the client as in Docker, not
// a crash. Templates whose nested ranges may loop more than kMaxLoops times
// are parsed but not executed, so the fuzzer keeps its pace; run it with
// -fork=1 -ignore_timeouts=1 to see the few slow ones this does not catch.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/format/executor.h"
#include "cli/format/functions.h"
#include "cli/format/parse_tree.h"
#include "cli/format/parser.h"

namespace {

using strata::format::Json;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

constexpr double kMaxLoops = 1e6;

// The largest integer constant anywhere in the template (what a range over a
// variable or a function result may come to), at least 500 (the document's
// integers are smaller).
double MaxConstant(const std::vector<strata::format::Node>& nodes);

double MaxConstant(const strata::format::Pipeline& pipe) {
  double max = 500;
  for (const auto& cmd : pipe.commands) {
    for (const auto& op : cmd.operands) {
      if (op.constant.is_number()) max = std::max(max, std::abs(op.constant.get<double>()));
      if (op.pipeline) max = std::max(max, MaxConstant(*op.pipeline));
    }
  }
  return max;
}

double MaxConstant(const std::vector<strata::format::Node>& nodes) {
  double max = 500;
  for (const auto& node : nodes) {
    if (node.pipeline) max = std::max(max, MaxConstant(*node.pipeline));
    max = std::max({max, MaxConstant(node.body), MaxConstant(node.else_body)});
  }
  return max;
}

// The product of the loop counts along the deepest nesting of ranges, each
// counted as `bound`.
double Loops(const std::vector<strata::format::Node>& nodes, double bound) {
  double worst = 1;
  for (const auto& node : nodes) {
    double inner = std::max(Loops(node.body, bound), Loops(node.else_body, bound));
    if (node.kind == strata::format::Node::Kind::kRange) inner *= bound;
    worst = std::max(worst, inner);
  }
  return worst;
}

const Json& Document() {
  static const Json* doc = new Json(Json::parse(R"({
    "Id": "sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412",
    "RepoTags": ["busybox:latest", "example.com/team/app:1.0"],
    "RepoDigests": ["busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79"],
    "Parent": "",
    "Comment": "",
    "Created": "2024-01-01T00:00:00Z",
    "DockerVersion": "",
    "Author": "",
    "Config": {
      "User": "",
      "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
      "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "EMPTY="],
      "Cmd": ["sh", "-c", "echo hello"],
      "Healthcheck": {"Test": ["CMD", "true"], "Interval": 30, "Retries": 3},
      "Volumes": null,
      "WorkingDir": "/app",
      "Entrypoint": null,
      "OnBuild": null,
      "Labels": {"org.opencontainers.image.title": "demo", "ünïcödé": "✓", "n": "1"}
    },
    "Architecture": "amd64",
    "Variant": "",
    "Os": "linux",
    "Size": 426,
    "Ratio": 0.5,
    "Negative": -7,
    "Big": 18446744073709551615,
    "Flag": true,
    "GraphDriver": {"Data": null, "Name": "overlayfs"},
    "RootFS": {"Type": "layers", "Layers": [
      "sha256:95c4a60383f7b6eb6f7b8e153a07cd6e896de0476763bef39d0f6cf3400624bd",
      "sha256:d4fc045c9e3a848011de66f34b81f052d4f2c15a17bb196d637e526349601820"]},
    "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"}
  })"));
  return *doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const strata::format::FunctionTable& functions = strata::format::DefaultFunctions();
  auto is_function = [&functions](std::string_view name) {
    return functions.find(name) != functions.end();
  };
  strata::Result<std::vector<strata::format::Node>> body =
      strata::format::ParseTemplate(text, is_function);
  if (!body.ok()) {
    Check(StartsWith(body.status().message(), "template: "));
    return 0;
  }
  if (Loops(*body, MaxConstant(*body)) > kMaxLoops) return 0;
  std::string out;
  strata::Status status =
      strata::format::ExecuteTemplate(text, *body, Document(), functions, nullptr, &out);
  if (!status.ok()) Check(StartsWith(status.message(), "template: "));
  // A table header: the same template with HeaderFunctions over the column names.
  std::string header;
  Json names = {{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}};
  strata::format::ExecuteTemplate(text, *body, names, functions, &strata::format::HeaderFunctions(),
                                  &header)
      .PermitUncheckedError();  // as Docker, a header error is not fatal
  return 0;
}
