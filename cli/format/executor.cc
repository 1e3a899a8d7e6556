#include "cli/format/executor.h"

#include <memory>

#include "cli/format/go_print.h"

namespace strata::format {
namespace {

enum class Flow { kNormal, kBreak, kContinue };

class Executor {
 public:
  Executor(std::string_view text, const FunctionTable& functions, const FunctionTable* overrides,
           std::string* out)
      : text_(text), functions_(functions), overrides_(overrides), out_(out) {}

  Status Run(const std::vector<Node>& body, const Json& data) {
    // The caller's data outlives execution; share it without copying.
    std::shared_ptr<const Json> root(&data, [](const Json*) {});
    Value dot = Value::Borrowed(root, &data);
    vars_.push_back({"$", dot});
    Flow flow = Flow::kNormal;
    return Walk(body, dot, &flow);
  }

 private:
  Status Error(size_t pos, std::string_view context, std::string_view message) const {
    size_t line_start = text_.rfind('\n', pos == 0 ? 0 : pos - 1);
    size_t column = line_start == std::string_view::npos || pos == 0 ? pos : pos - line_start - 1;
    int line = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) line += text_[i] == '\n';
    return Status::InvalidArgument("template: :" + std::to_string(line) + ":" +
                                   std::to_string(column) + ": executing \"\" at <" +
                                   std::string(context) + ">: " + std::string(message));
  }

  Status Walk(const std::vector<Node>& list, const Value& dot, Flow* flow) {
    for (const Node& node : list) {
      TRY(WalkNode(node, dot, flow));
      if (*flow != Flow::kNormal) return Status::OK();
    }
    return Status::OK();
  }

  Status WalkNode(const Node& node, const Value& dot, Flow* flow) {
    switch (node.kind) {
      case Node::Kind::kText:
        *out_ += node.text;
        return Status::OK();
      case Node::Kind::kAction: {
        ASSIGN_OR_RETURN(Value v, EvalPipeline(*node.pipeline, dot, /*declare=*/true));
        if (node.pipeline->variables.empty()) *out_ += FormatTemplateValue(v);
        return Status::OK();
      }
      case Node::Kind::kBreak:
        *flow = Flow::kBreak;
        return Status::OK();
      case Node::Kind::kContinue:
        *flow = Flow::kContinue;
        return Status::OK();
      case Node::Kind::kIf:
      case Node::Kind::kWith: {
        size_t mark = vars_.size();
        Result<Value> v = EvalPipeline(*node.pipeline, dot, /*declare=*/true);
        Status s = v.status();
        if (s.ok()) {
          bool with = node.kind == Node::Kind::kWith;
          if (IsTrue(*v)) {
            s = WalkScoped(node.body, with ? *v : dot, flow);
          } else {
            s = WalkScoped(node.else_body, dot, flow);
          }
        }
        vars_.resize(mark);
        return s;
      }
      case Node::Kind::kRange: {
        size_t mark = vars_.size();
        Status s = WalkRange(node, dot, flow);
        vars_.resize(mark);
        return s;
      }
    }
    return Status::OK();
  }

  Status WalkScoped(const std::vector<Node>& list, const Value& dot, Flow* flow) {
    size_t mark = vars_.size();
    Status s = Walk(list, dot, flow);
    vars_.resize(mark);
    return s;
  }

  // One pass of a range body with its variables bound to key and element.
  // Returns false in *more when {{break}} ended the loop.
  Status Iterate(const Node& node, const Value& key, const Value& elem, bool* more) {
    const std::vector<std::string>& names = node.pipeline->variables;
    size_t mark = vars_.size();
    if (names.size() == 1) vars_.push_back({names[0], elem});
    if (names.size() == 2) {
      vars_.push_back({names[0], key});
      vars_.push_back({names[1], elem});
    }
    Flow flow = Flow::kNormal;
    Status s = Walk(node.body, elem, &flow);
    vars_.resize(mark);
    *more = flow != Flow::kBreak;
    return s;
  }

  Status WalkRange(const Node& node, const Value& dot, Flow* flow) {
    ASSIGN_OR_RETURN(Value v, EvalPipeline(*node.pipeline, dot, /*declare=*/false));
    const Json& j = v.json();
    bool more = true;
    if (j.is_array() && !j.empty()) {
      for (size_t i = 0; i < j.size() && more; ++i) {
        TRY(Iterate(node, Value::Of(static_cast<int64_t>(i)), v.Element(i), &more));
      }
      return Status::OK();
    }
    if (j.is_object() && !j.empty()) {
      for (const std::string& key : SortedKeys(j)) {
        TRY(Iterate(node, Value::Of(key), v.Member(key), &more));
        if (!more) break;
      }
      return Status::OK();
    }
    if (j.is_number_integer() && j.get<int64_t>() > 0) {  // Go 1.22: range over an int
      for (int64_t i = 0; i < j.get<int64_t>() && more; ++i) {
        TRY(Iterate(node, Value::Of(i), Value::Of(i), &more));
      }
      return Status::OK();
    }
    if (j.is_array() || j.is_object() || j.is_null() || j.is_number_integer()) {
      return WalkScoped(node.else_body, dot, flow);
    }
    return Error(node.pipeline->pos, node.pipeline->commands.back().source,
                 "range can't iterate over " + FormatGoValue(j));
  }

  Result<Value> EvalPipeline(const Pipeline& pipe, const Value& dot, bool declare) {
    Value value;
    bool has_final = false;
    for (const Command& cmd : pipe.commands) {
      ASSIGN_OR_RETURN(value, EvalCommand(cmd, dot, has_final ? &value : nullptr));
      has_final = true;
    }
    if (!declare) return value;
    for (const std::string& name : pipe.variables) {
      if (!pipe.is_assign) {
        vars_.push_back({name, value});
        continue;
      }
      for (size_t i = vars_.size(); i-- > 0;) {
        if (vars_[i].first == name) {
          vars_[i].second = value;
          break;
        }
      }
    }
    return value;
  }

  Result<Value> EvalCommand(const Command& cmd, const Value& dot, const Value* final) {
    const Operand& first = cmd.operands[0];
    if (first.kind == Operand::Kind::kFunction) {
      return EvalCall(first.name, cmd, dot, final);
    }
    if (cmd.operands.size() > 1 || final != nullptr) {
      return Error(cmd.pos, cmd.source, "can't give argument to non-function " + first.source);
    }
    if (first.kind == Operand::Kind::kNil)
      return Error(cmd.pos, cmd.source, "nil is not a command");
    return EvalOperand(first, dot);
  }

  Result<Value> EvalOperand(const Operand& op, const Value& dot) {
    Value v;
    switch (op.kind) {
      case Operand::Kind::kDot:
        v = dot;
        break;
      case Operand::Kind::kVariable:
        for (size_t i = vars_.size(); i-- > 0;) {
          if (vars_[i].first == op.name) {
            v = vars_[i].second;
            break;
          }
        }
        break;
      case Operand::Kind::kConstant:
        return Value::Of(op.constant);
      case Operand::Kind::kNil:
        return Value::Of(nullptr);
      case Operand::Kind::kFunction: {
        Command call{op.pos, op.source, {op}};
        return EvalCall(op.name, call, dot, nullptr);
      }
      case Operand::Kind::kPipeline: {
        ASSIGN_OR_RETURN(v, EvalPipeline(*op.pipeline, dot, /*declare=*/true));
        break;
      }
    }
    for (const std::string& field : op.fields) {
      if (v.missing()) break;
      const Json& j = v.json();
      if (j.is_null()) {  // a nil map or pointer: treated as an absent key
        v = Value();
        break;
      }
      if (!j.is_object()) {
        return Error(op.pos, op.source,
                     "can't evaluate field " + field + " in type " + GoTypeName(j));
      }
      v = v.Member(field);
    }
    return v;
  }

  Result<Value> EvalCall(const std::string& name, const Command& cmd, const Value& dot,
                         const Value* final) {
    const Function* fn = nullptr;
    if (overrides_ != nullptr) {
      auto it = overrides_->find(name);
      if (it != overrides_->end()) fn = &it->second;
    }
    bool builtin = fn == nullptr;
    if (fn == nullptr) {
      auto it = functions_.find(name);
      if (it == functions_.end()) {
        return Error(cmd.pos, cmd.source, "function \"" + name + "\" not defined");
      }
      fn = &it->second;
    }
    int given = static_cast<int>(cmd.operands.size()) - 1 + (final != nullptr ? 1 : 0);
    if (given < fn->min_args || (fn->max_args >= 0 && given > fn->max_args)) {
      std::string want = fn->max_args < 0 ? "at least " + std::to_string(fn->min_args)
                                          : std::to_string(fn->min_args);
      return Error(
          cmd.pos, cmd.source,
          "wrong number of args for " + name + ": want " + want + " got " + std::to_string(given));
    }
    bool lazy_and = builtin && name == "and";
    bool lazy_or = builtin && name == "or";
    std::vector<Value> args;
    for (size_t i = 1; i < cmd.operands.size(); ++i) {
      ASSIGN_OR_RETURN(Value v, EvalOperand(cmd.operands[i], dot));
      // Go 1.18: and/or stop at the first argument that decides the result.
      if ((lazy_and && !IsTrue(v)) || (lazy_or && IsTrue(v))) return v;
      args.push_back(std::move(v));
    }
    if (final != nullptr) args.push_back(*final);
    Result<Value> result = fn->call(args);
    if (!result.ok()) {
      return Error(cmd.pos, cmd.source, "error calling " + name + ": " + result.status().message());
    }
    return result;
  }

  std::string_view text_;
  const FunctionTable& functions_;
  const FunctionTable* overrides_;
  std::string* out_;
  std::vector<std::pair<std::string, Value>> vars_;
};

}  // namespace

Status ExecuteTemplate(std::string_view text, const std::vector<Node>& body, const Json& data,
                       const FunctionTable& functions, const FunctionTable* overrides,
                       std::string* out) {
  return Executor(text, functions, overrides, out).Run(body, data);
}

}  // namespace strata::format
