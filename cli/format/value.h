#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace strata::format {

using Json = nlohmann::ordered_json;

// A value flowing through template execution: a JSON node, or "missing"
// (Go's invalid reflect.Value, produced by a field path that names an absent
// map key). Missing prints as "<no value>" and becomes null when passed to a
// function.
//
// Values borrowed from the template's data share ownership of the tree they
// point into, so copying a Value never copies JSON. Immutable; copyable.
class Value {
 public:
  // The missing value.
  Value();
  // A value that owns `json`.
  static Value Of(Json json);
  // A value pointing at `node`, which lives inside the tree kept alive by `root`.
  static Value Borrowed(std::shared_ptr<const Json> root, const Json* node);

  bool missing() const { return node_ == nullptr; }
  // The JSON node; null when missing().
  const Json& json() const;
  // The node at `key` of an object value, as a borrowed value; missing when
  // absent. REQUIRES: json().is_object().
  Value Member(const std::string& key) const;
  // The element `i` of an array value. REQUIRES: i < json().size().
  Value Element(size_t i) const;

 private:
  std::shared_ptr<const Json> root_;
  const Json* node_ = nullptr;
};

// Go's template truth: false, 0, "", [], {}, null and missing are false.
bool IsTrue(const Value& value);

// The Go type name used in messages, as encoding/json would decode the value:
// "string", "int", "float64", "bool", "[]interface {}", "map[string]interface {}",
// "<nil>".
std::string GoTypeName(const Json& json);

}  // namespace strata::format
