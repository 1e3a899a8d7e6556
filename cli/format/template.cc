#include "cli/format/template.h"

#include <algorithm>

#include "cli/format/executor.h"
#include "cli/format/functions.h"
#include "cli/format/parse_tree.h"
#include "cli/format/parser.h"

namespace strata::format {
namespace {

void CollectPaths(const Pipeline& pipe, std::vector<std::vector<std::string>>* paths);

void CollectPaths(const std::vector<Node>& nodes, std::vector<std::vector<std::string>>* paths) {
  for (const Node& node : nodes) {
    if (node.pipeline) CollectPaths(*node.pipeline, paths);
    CollectPaths(node.body, paths);
    CollectPaths(node.else_body, paths);
  }
}

void CollectPaths(const Pipeline& pipe, std::vector<std::vector<std::string>>* paths) {
  for (const Command& cmd : pipe.commands) {
    for (const Operand& op : cmd.operands) {
      if (op.pipeline) CollectPaths(*op.pipeline, paths);
      if (op.kind != Operand::Kind::kDot || op.fields.empty()) continue;
      if (std::find(paths->begin(), paths->end(), op.fields) == paths->end()) {
        paths->push_back(op.fields);
      }
    }
  }
}

}  // namespace

Template::Template(std::string text, std::shared_ptr<const std::vector<Node>> body)
    : text_(std::move(text)), body_(std::move(body)) {}

Result<Template> Template::Parse(std::string_view text) {
  const FunctionTable& functions = DefaultFunctions();
  auto is_function = [&functions](std::string_view name) {
    return functions.find(name) != functions.end();
  };
  ASSIGN_OR_RETURN(std::vector<Node> body, ParseTemplate(text, is_function));
  return Template(std::string(text), std::make_shared<const std::vector<Node>>(std::move(body)));
}

Result<std::string> Template::Execute(const Json& data) const {
  std::string out;
  TRY(ExecuteTemplate(text_, *body_, data, DefaultFunctions(), nullptr, &out));
  return out;
}

std::string Template::ExecuteHeader(const Json& header) const {
  std::string out;
  ExecuteTemplate(text_, *body_, header, DefaultFunctions(), &HeaderFunctions(), &out)
      .PermitUncheckedError();  // Docker ignores header errors too
  return out;
}

std::vector<std::vector<std::string>> Template::FieldPaths() const {
  std::vector<std::vector<std::string>> paths;
  CollectPaths(*body_, &paths);
  return paths;
}

}  // namespace strata::format
