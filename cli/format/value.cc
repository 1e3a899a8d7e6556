#include "cli/format/value.h"

#include <utility>

namespace strata::format {

Value::Value() = default;

Value Value::Of(Json json) {
  auto owned = std::make_shared<const Json>(std::move(json));
  const Json* node = owned.get();
  return Borrowed(std::move(owned), node);
}

Value Value::Borrowed(std::shared_ptr<const Json> root, const Json* node) {
  Value v;
  v.root_ = std::move(root);
  v.node_ = node;
  return v;
}

const Json& Value::json() const {
  static const Json kNull;
  return node_ == nullptr ? kNull : *node_;
}

Value Value::Member(const std::string& key) const {
  auto it = node_->find(key);
  if (it == node_->end()) return Value();
  return Borrowed(root_, &*it);
}

Value Value::Element(size_t i) const { return Borrowed(root_, &(*node_)[i]); }

bool IsTrue(const Value& value) {
  if (value.missing()) return false;
  const Json& j = value.json();
  switch (j.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return j.get<bool>();
    case Json::value_t::number_integer:
      return j.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return j.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return j.get<double>() != 0;
    case Json::value_t::string:
      return !j.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
    case Json::value_t::binary:
      return !j.empty();
    case Json::value_t::discarded:
      return false;
  }
  return false;
}

std::string GoTypeName(const Json& json) {
  switch (json.type()) {
    case Json::value_t::string:
      return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:  // nlohmann parses 5 as unsigned
      return "int";
    case Json::value_t::number_float:
      return "float64";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::array:
      return "[]interface {}";
    case Json::value_t::object:
      return "map[string]interface {}";
    default:
      return "<nil>";
  }
}

}  // namespace strata::format
