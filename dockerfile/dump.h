#pragma once

// BuildKit's AST.Dump(): one s-expression per instruction, e.g.
//   (copy ["--from=build"] "/out" "/app")
//   (onbuild (run "make"))
// separated by newlines, with no trailing newline (BuildKit's conformance
// test compares Dump() + "\n" with the `result` files).

#include <string>

#include "dockerfile/ast.h"

namespace strata::dockerfile {

std::string Dump(const Ast& ast);

// One instruction without the surrounding parentheses: `run "make"`.
std::string DumpInstruction(const Instruction& instruction);

}  // namespace strata::dockerfile
