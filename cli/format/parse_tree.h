#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/format/value.h"

namespace strata::format {

struct Pipeline;

// One operand of a command: `.A.B`, `$x.A`, `len`, `"s"`, `3`, `(pipe).A`.
struct Operand {
  enum class Kind {
    kDot,       // . followed by `fields` (".A.B" is kDot with fields {A, B})
    kVariable,  // `name` ("$x" or "$") followed by `fields`
    kFunction,  // `name`
    kConstant,  // `constant`: string, number or bool
    kNil,
    kPipeline,  // parenthesized `pipeline` followed by `fields`
  };
  Kind kind = Kind::kDot;
  size_t pos = 0;
  std::string source;  // the operand as written, for messages
  std::string name;
  std::vector<std::string> fields;
  Json constant;
  std::shared_ptr<const Pipeline> pipeline;
};

// Operands separated by spaces: a function call or a single value.
struct Command {
  size_t pos = 0;
  std::string source;  // the command as written, for messages
  std::vector<Operand> operands;
};

// `$a, $b := cmd | cmd ...` (declaration) or `$a = cmd ...` (assignment).
struct Pipeline {
  size_t pos = 0;
  std::vector<std::string> variables;
  bool is_assign = false;
  std::vector<Command> commands;
};

// A node of the template body.
struct Node {
  enum class Kind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Kind kind = Kind::kText;
  size_t pos = 0;
  std::string text;                          // kText
  std::shared_ptr<const Pipeline> pipeline;  // kAction, kIf, kRange, kWith
  std::vector<Node> body;                    // kIf, kRange, kWith
  std::vector<Node> else_body;               // `else if` nests a kIf here
};

}  // namespace strata::format
