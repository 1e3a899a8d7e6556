#pragma once

// Expansion of one stage's instructions into plan steps: the variable scope
// of a stage and the per-instruction rules of dockerfile/plan.h. Internal to
// the planner.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "dockerfile/instructions.h"
#include "dockerfile/plan.h"
#include "dockerfile/shell_lexer.h"

namespace strata::dockerfile {

// What a stage has set so far. Copied into a stage built FROM this one.
struct StageScope {
  ShellEnv vars;                    // what expansion sees: ARG and ENV values
  std::set<std::string> env_names;  // names set by ENV; an ARG does not override them
  std::string workdir = "/";
  std::vector<std::string> shell = {"/bin/sh", "-c"};
};

// The build-wide inputs of expansion. Not owned.
struct ExpandContext {
  const ShellLexer* lexer;
  const ShellEnv* global_args;                           // resolved global ARGs
  const std::map<std::string, std::string>* build_args;  // --build-arg values
  std::set<std::string>* declared_args;                  // ARG names seen (for "unused")
};

// Expands `command` (not FROM) in `scope` and describes its effect; updates
// `scope` for ENV, ARG, WORKDIR and SHELL. Errors carry no location.
Result<BuildStep> ExpandStep(const Command& command, StageScope* scope, const ExpandContext& ctx);

// Normalises an EXPOSE port: "80" -> "80/tcp", "53/UDP" -> "53/udp";
// a range "8000-8002/tcp" yields each port.
Result<std::vector<std::string>> NormalizePorts(std::string_view spec);

}  // namespace strata::dockerfile
