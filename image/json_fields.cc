#include "image/json_fields.h"

namespace strata::image::json_internal {
namespace {

const char* TypeName(const Json& j) { return j.type_name(); }

}  // namespace

Result<Json> ParseObject(std::string_view text, std::string_view what) {
  Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Status::InvalidArgument(std::string(what) + ": not valid JSON");
  }
  if (!json.is_object()) {
    return Status::InvalidArgument(std::string(what) + ": expected a JSON object, got " +
                                   TypeName(json));
  }
  return json;
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

FieldReader::FieldReader(const Json& object, std::string where, std::string prefix)
    : object_(object), where_(std::move(where)), prefix_(std::move(prefix)) {}

std::string FieldReader::Path(std::string_view key) const {
  if (prefix_.empty()) return std::string(key);
  if (!key.empty() && key.front() == '[') return prefix_ + std::string(key);
  return prefix_ + "." + std::string(key);
}

Status FieldReader::Error(std::string_view key, std::string_view problem) const {
  return Status::InvalidArgument(where_ + ": field \"" + Path(key) + "\": " + std::string(problem));
}

const Json* FieldReader::Find(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

Status FieldReader::String(const char* key, std::string* out, bool required) const {
  const Json* v = Find(key);
  if (v == nullptr) return required ? Error(key, "is required") : Status::OK();
  if (!v->is_string()) return Error(key, std::string("expected a string, got ") + TypeName(*v));
  *out = v->get<std::string>();
  return Status::OK();
}

Status FieldReader::Int(const char* key, int64_t* out, bool required) const {
  const Json* v = Find(key);
  if (v == nullptr) return required ? Error(key, "is required") : Status::OK();
  if (!v->is_number_integer()) {
    return Error(key, std::string("expected an integer, got ") + TypeName(*v));
  }
  *out = v->get<int64_t>();
  return Status::OK();
}

Status FieldReader::Bool(const char* key, bool* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return Status::OK();
  if (!v->is_boolean()) return Error(key, std::string("expected a boolean, got ") + TypeName(*v));
  *out = v->get<bool>();
  return Status::OK();
}

Status FieldReader::StringList(const char* key, std::vector<std::string>* out) const {
  std::optional<std::vector<std::string>> list;
  TRY(OptionalStringList(key, &list));
  if (list) *out = std::move(*list);
  return Status::OK();
}

Status FieldReader::OptionalStringList(const char* key,
                                       std::optional<std::vector<std::string>>* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return Status::OK();
  if (!v->is_array()) {
    return Error(key, std::string("expected an array of strings, got ") + TypeName(*v));
  }
  std::vector<std::string> list;
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& item = (*v)[i];
    if (!item.is_string()) {
      return Error(std::string(key) + "[" + std::to_string(i) + "]",
                   std::string("expected a string, got ") + TypeName(item));
    }
    list.push_back(item.get<std::string>());
  }
  *out = std::move(list);
  return Status::OK();
}

Status FieldReader::StringMap(const char* key, std::map<std::string, std::string>* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return Status::OK();
  if (!v->is_object()) return Error(key, std::string("expected an object, got ") + TypeName(*v));
  out->clear();
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      return Error(std::string(key) + "." + it.key(),
                   std::string("expected a string, got ") + TypeName(it.value()));
    }
    (*out)[it.key()] = it.value().get<std::string>();
  }
  return Status::OK();
}

Status FieldReader::KeySet(const char* key, std::set<std::string>* out) const {
  const Json* v = Find(key);
  if (v == nullptr) return Status::OK();
  if (!v->is_object()) return Error(key, std::string("expected an object, got ") + TypeName(*v));
  out->clear();
  for (auto it = v->begin(); it != v->end(); ++it) out->insert(it.key());
  return Status::OK();
}

Status FieldReader::DigestField(const char* key, strata::Digest* out, bool required) const {
  std::string text;
  TRY(String(key, &text, required));
  if (text.empty() && !required) return Status::OK();
  Result<strata::Digest> d = strata::Digest::Parse(text);
  if (!d.ok()) return Error(key, d.status().message());
  *out = std::move(*d);
  return Status::OK();
}

Result<const Json*> FieldReader::Object(const char* key, bool required) const {
  const Json* v = Find(key);
  if (v == nullptr) {
    if (required) return Error(key, "is required");
    return static_cast<const Json*>(nullptr);
  }
  if (!v->is_object()) return Error(key, std::string("expected an object, got ") + TypeName(*v));
  return v;
}

Result<const Json*> FieldReader::Array(const char* key, bool required) const {
  const Json* v = Find(key);
  if (v == nullptr) {
    if (required) return Error(key, "is required");
    return static_cast<const Json*>(nullptr);
  }
  if (!v->is_array()) return Error(key, std::string("expected an array, got ") + TypeName(*v));
  return v;
}

void PutString(Json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

void PutStringList(Json& out, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) out[key] = value;
}

void PutStringMap(Json& out, const char* key, const std::map<std::string, std::string>& value) {
  if (value.empty()) return;
  Json map = Json::object();
  for (const auto& [k, v] : value) map[k] = v;  // std::map iterates sorted
  out[key] = std::move(map);
}

void PutKeySet(Json& out, const char* key, const std::set<std::string>& value) {
  if (value.empty()) return;
  Json map = Json::object();
  for (const auto& k : value) map[k] = Json::object();
  out[key] = std::move(map);
}

}  // namespace strata::image::json_internal
