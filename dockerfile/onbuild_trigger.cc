#include "dockerfile/onbuild_trigger.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "dockerfile/parser.h"
#include "dockerfile/shell_lexer.h"
#include "dockerfile/step_expander.h"

namespace strata::dockerfile {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// One trigger as a typed command, refusing what Docker refuses.
Result<Command> ParseTrigger(const std::string& trigger) {
  ASSIGN_OR_RETURN(Ast ast, Parse(trigger));
  if (ast.instructions.size() != 1) {
    return Status::InvalidArgument("onbuild trigger should be a single expression");
  }
  const Instruction& instruction = ast.instructions.front();
  std::string keyword = Upper(instruction.keyword);
  if (keyword == "ONBUILD") {
    return Status::InvalidArgument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  }
  if (keyword == "FROM" || keyword == "MAINTAINER") {
    return Status::InvalidArgument(keyword + " isn't allowed as an ONBUILD trigger");
  }
  return ParseInstruction(instruction);
}

}  // namespace

Result<std::vector<BuildStep>> ExpandOnbuildTriggers(const std::vector<std::string>& triggers,
                                                     const TriggerScope& trigger_scope,
                                                     int from_line) {
  StageScope scope;
  for (const std::string& kv : trigger_scope.env) {
    size_t eq = kv.find('=');
    std::string name = kv.substr(0, eq);
    scope.vars[name] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    scope.env_names.insert(name);
  }
  if (!trigger_scope.workdir.empty()) scope.workdir = trigger_scope.workdir;
  if (!trigger_scope.shell.empty()) scope.shell = trigger_scope.shell;
  ShellLexer lexer(trigger_scope.escape);
  ShellEnv global(trigger_scope.global_args.begin(), trigger_scope.global_args.end());
  std::set<std::string> declared;
  ExpandContext ctx{&lexer, &global, &trigger_scope.build_args, &declared};

  std::vector<BuildStep> steps;
  for (const std::string& trigger : triggers) {
    Result<Command> command = ParseTrigger(trigger);
    if (!command.ok()) return command.status().Annotate("ONBUILD trigger \"" + trigger + "\"");
    Result<BuildStep> step = ExpandStep(*command, &scope, ctx);
    if (!step.ok()) return step.status().Annotate("ONBUILD trigger \"" + trigger + "\"");
    step->from_onbuild = true;
    step->start_line = from_line;
    step->end_line = from_line;
    steps.push_back(std::move(*step));
  }
  return steps;
}

}  // namespace strata::dockerfile
