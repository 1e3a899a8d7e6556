#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/format/value.h"
#include "common/result.h"

namespace strata::format {

struct Node;

// A parsed Go text/template, as Docker's --format uses it: actions {{ }} with
// trim markers, field paths, variables, pipelines, if/else if/else, range
// (arrays, maps in key order, ints; break/continue), with, comments, and the
// functions of DefaultFunctions() (Go builtins plus Docker's json, split,
// join, title, lower, upper, pad, truncate).
//
// The data is JSON (what `inspect` prints). {{.X}} prints values as Go's fmt
// does: "[a b]" for arrays, "map[k:v]" for objects, "<nil>" for null, and
// "<no value>" for an absent key. A field of null is treated as absent.
//
// Immutable once parsed; Execute may run concurrently from several threads.
class Template {
 public:
  // Errors name the line: `template: :1: function "foo" not defined`.
  static Result<Template> Parse(std::string_view text);

  // Renders the template against `data`. Errors name line, column and the
  // failing command: `template: :1:2: executing "" at <index .A 5>: error
  // calling index: index out of range: 5`.
  Result<std::string> Execute(const Json& data) const;

  // Renders with Docker's HeaderFunctions (json, lower, ... return their
  // argument unchanged), for the header row of a table. Like Docker, an error
  // is not fatal: the output produced before it is returned.
  std::string ExecuteHeader(const Json& header) const;

  // The field paths read from the data root ("{{.Config.Env}}" gives
  // {"Config", "Env"}), in order of first appearance, without duplicates.
  std::vector<std::vector<std::string>> FieldPaths() const;

  const std::string& text() const { return text_; }

 private:
  Template(std::string text, std::shared_ptr<const std::vector<Node>> body);

  std::string text_;
  std::shared_ptr<const std::vector<Node>> body_;
};

}  // namespace strata::format
