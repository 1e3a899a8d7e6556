#include "dockerfile/dump.h"

#include "dockerfile/go_strings.h"

namespace strata::dockerfile {
namespace {

void AppendInstruction(std::string* out, const Instruction& inst) {
  const size_t start = out->size();
  out->append(go::ToLower(inst.keyword));
  if (!inst.flags.empty()) {
    out->append(" [");
    for (size_t i = 0; i < inst.flags.size(); ++i) {
      if (i > 0) out->push_back(' ');
      go::AppendQuoted(out, inst.flags[i]);
    }
    out->push_back(']');
  }
  for (const std::string& arg : inst.args) {
    out->push_back(' ');
    go::AppendQuoted(out, arg);
  }
  for (const Instruction& child : inst.onbuild) {
    out->append(" (");
    AppendInstruction(out, child);
    out->push_back(')');
  }
  // Node.Dump() ends with strings.TrimSpace.
  std::string_view written(out->data() + start, out->size() - start);
  std::string_view trimmed = go::TrimSpace(written);
  if (trimmed.size() != written.size()) {
    std::string keep(trimmed);
    out->resize(start);
    out->append(keep);
  }
}

}  // namespace

std::string DumpInstruction(const Instruction& instruction) {
  std::string out;
  AppendInstruction(&out, instruction);
  return out;
}

std::string Dump(const Ast& ast) {
  std::string out;
  for (const Instruction& inst : ast.instructions) {
    out.push_back('(');
    AppendInstruction(&out, inst);
    out.append(")\n");
  }
  return std::string(go::TrimSpace(out));
}

}  // namespace strata::dockerfile
