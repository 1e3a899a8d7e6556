// libFuzzer target: any byte string must parse or fail cleanly, and a
// successful parse must dump. Build with -DSTRATA_FUZZ=ON under clang; seed
// with the conformance Dockerfiles.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dockerfile/dump.h"
#include "dockerfile/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view content(reinterpret_cast<const char*>(data), size);
  strata::Result<strata::dockerfile::Ast> ast = strata::dockerfile::Parse(content);
  if (ast.ok()) {
    std::string dump = strata::dockerfile::Dump(*ast);
    // Every instruction dumps as one parenthesised expression.
    if (dump.empty() || dump.front() != '(' || dump.back() != ')') __builtin_trap();
    for (const auto& inst : ast->instructions) {
      if (inst.start_line < 1 || inst.end_line < inst.start_line) __builtin_trap();
    }
  } else if (ast.status().message().rfind("line ", 0) != 0) {
    __builtin_trap();  // every error names its line
  }
  return 0;
}
