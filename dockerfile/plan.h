#pragma once

// The build plan of a Dockerfile: its stages after variable expansion, the
// dependency graph between them, the target and the stages it needs. Follows
// the Dockerfile reference and BuildKit's dockerfile2llb/convert.go:
//
//  - ARGs before the first FROM are global: usable in FROM lines, visible in a
//    stage only when re-declared there (`ARG NAME` takes the global value).
//    --build-arg overrides an ARG's default, never an undeclared name.
//  - TARGETPLATFORM/TARGETOS/TARGETARCH/TARGETVARIANT, BUILDPLATFORM/BUILDOS/
//    BUILDARCH/BUILDVARIANT and TARGETSTAGE are global args without a
//    declaration; inside a stage they need `ARG NAME` like any global.
//  - The proxy args (HTTP_PROXY, https_proxy, NO_PROXY, ALL_PROXY, ... in
//    both cases) need no ARG: given as --build-arg they reach RUN's
//    environment (BuildPlan::proxy_env), are never reported unused, and are
//    not expanded in instructions unless declared.
//  - ENV values feed later expansion in the stage; ENV wins over an ARG of
//    the same name whatever their order (Dockerfile reference). A stage built
//    FROM another stage starts with that stage's ARG and ENV values.
//  - Variables are expanded in ADD, COPY, ENV, EXPOSE, FROM, LABEL,
//    STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults, the values of RUN
//    --mount and COPY/ADD --chown/--chmod/--checksum, and unquoted COPY/ADD
//    here-documents. RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and
//    ONBUILD keep their text (the shell expands it at run time).
//  - Stage names are case-insensitive. `--from=N` names stage N (an unknown
//    index is an error); `--from=NAME` that names no stage is an image
//    reference, as in BuildKit, and must be a valid one. FROM NAME matches
//    only earlier stages. Dependencies (FROM, COPY --from, RUN --mount from,
//    ONBUILD triggers inherited from a base stage) must not form a cycle, and
//    a needed stage may only copy from an earlier stage.
//  - The target is the last stage unless PlanOptions::target names one;
//    stages the target does not reach are pruned (kept, marked not needed,
//    expanded best-effort: their errors become warnings).
//
// Every error reads "FILE:LINE: message" (FILE from PlanOptions::filename);
// the few that belong to no line (an unknown --target) read "FILE: message".

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "dockerfile/ast.h"
#include "dockerfile/instructions.h"

namespace strata::dockerfile {

// The config BuildKit gives `FROM scratch` (dockerfile2llb's emptyImage):
// this Env and WorkingDir "/". Its PATH is visible to expansion in the stage.
inline constexpr char kScratchPathEnv[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// What expansion needs of a base image's config.
struct BaseImageScope {
  std::vector<std::string> env;  // "KEY=value", as Config.Env
  std::string workdir;           // Config.WorkingDir ("" = /)
  std::vector<std::string> shell;  // Config.Shell (empty = /bin/sh -c)
};

struct PlanOptions {
  std::string filename = "Dockerfile";  // for error messages
  std::map<std::string, std::string> build_args;
  std::string target;  // stage name; "" = the last stage
  std::string build_platform = "linux/amd64";
  std::string target_platform;  // "" = build_platform
  // The config of a FROM image (as written after expansion), so that its
  // ENV, WORKDIR and SHELL are seen when the stage's instructions are
  // expanded (`WORKDIR $GOPATH/src` after `FROM golang`), as Docker does.
  // Unset, or nullopt for an image it does not know: an empty scope.
  std::function<std::optional<BaseImageScope>(const std::string& image)> base_image;
};

// One field of the image configuration that a step sets.
struct ConfigChange {
  std::string field;  // "Env", "Labels", "WorkingDir", "User", "ExposedPorts",
                      // "Volumes", "StopSignal", "Cmd", "Entrypoint",
                      // "Healthcheck", "Shell", "OnBuild", "Author", and
                      // "BuildArg" (build-time only, not in the image)
  std::string value;  // "KEY=value", a path, a JSON array, ...
  friend bool operator==(const ConfigChange&, const ConfigChange&) = default;
};

struct BuildStep {
  Command command;  // the typed instruction, variables expanded
  int start_line = 0;
  int end_line = 0;
  std::string text;                   // the instruction as it reads after expansion
  std::vector<ConfigChange> changes;  // what it sets in the image config
  bool changes_filesystem = false;    // RUN, COPY, ADD, WORKDIR: produces a layer
  bool from_onbuild = false;          // an ONBUILD trigger inherited from the base stage
};

enum class BaseKind { kScratch, kImage, kStage };

struct StageBase {
  BaseKind kind = BaseKind::kScratch;
  std::string image;  // kImage: the reference after expansion
  int stage = -1;     // kStage: index of the earlier stage
};

struct BuildStage {
  int index = 0;
  std::string name;  // lower-case; "" when unnamed
  StageBase base;
  std::string platform;   // --platform (expanded), else the base stage's, else the target platform
  std::string from_text;  // the FROM line after expansion
  int start_line = 0;     // of the FROM line
  int end_line = 0;
  std::vector<BuildStep> steps;
  std::vector<int> depends_on;                // stage indices, ascending, unique
  std::vector<std::string> image_sources;     // images named by COPY --from / RUN --mount from
  std::vector<std::string> onbuild_triggers;  // ONBUILD expressions this stage records
  bool needed = false;                        // the target needs it (or is it)

  // name, or "stage-N" for an unnamed stage.
  std::string DisplayName() const;
};

struct BuildPlan {
  std::string filename;
  std::string build_platform;
  std::string target_platform;
  std::vector<BuildStage> stages;
  int target = -1;                                 // index into stages
  std::map<std::string, std::string> global_args;  // global ARG values, platform args included
  std::map<std::string, std::string> proxy_env;    // proxy args given as --build-arg
  std::map<std::string, std::string> build_args;   // every --build-arg as given (for the
                                                   // ONBUILD triggers of a base image)
  std::vector<std::string> unused_build_args;      // --build-arg names no ARG consumed, sorted
  std::vector<std::string> warnings;               // "FILE:LINE: message"
};

// Plans the build of `ast`.
Result<BuildPlan> Plan(const Ast& ast, const PlanOptions& opts);

// Parses `content` (dockerfile/parser.h) and plans it. A parser error
// "line N: msg" becomes "FILE:N: msg". This is what `strata dockerfile plan`
// calls.
Result<BuildPlan> ParseAndPlan(std::string_view content, const PlanOptions& opts);

// A parser error "line 12: msg" as "FILE:12: msg"; any other message as
// "FILE: msg". For callers that parse without planning.
Status WithFileLocation(const Status& status, const std::string& filename);

}  // namespace strata::dockerfile
