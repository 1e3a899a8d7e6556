#pragma once

// Internal to image/: JSON helpers shared by the OCI type codecs. Other
// modules use the ToJson/FromJson members of the public types instead.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/descriptor.h"

namespace strata::image::json_internal {

// Insertion-ordered so that a type serialises its fields in spec order and
// the same value always gives the same bytes. Maps are written sorted.
using Json = nlohmann::ordered_json;

// Parses `text` as a JSON object; `what` names the document in errors.
Result<Json> ParseObject(std::string_view text, std::string_view what);

// Compact serialisation, no trailing newline.
std::string Dump(const Json& json);

// Reads typed fields of one JSON object. Every error is InvalidArgument and
// names the field by its full path, e.g. `manifest: field "layers[1].size"`.
// Absent and null fields leave the output untouched unless required.
class FieldReader {
 public:
  // `where` is the document ("manifest"), `prefix` the path of this object
  // inside it ("layers[1]" or empty for the root).
  FieldReader(const Json& object, std::string where, std::string prefix);

  Status String(const char* key, std::string* out, bool required = false) const;
  Status Int(const char* key, int64_t* out, bool required = false) const;
  Status Bool(const char* key, bool* out) const;
  Status StringList(const char* key, std::vector<std::string>* out) const;
  // Keeps null/absent (nullopt) apart from [] (empty vector).
  Status OptionalStringList(const char* key, std::optional<std::vector<std::string>>* out) const;
  Status StringMap(const char* key, std::map<std::string, std::string>* out) const;
  // A Go map[string]struct{} such as ExposedPorts: {"80/tcp": {}}.
  Status KeySet(const char* key, std::set<std::string>* out) const;
  Status DigestField(const char* key, strata::Digest* out, bool required = false) const;
  // The nested object at `key`, or nullptr when absent or null; an error
  // when present but not an object.
  Result<const Json*> Object(const char* key, bool required = false) const;
  // The array at `key` (nullptr when absent or null).
  Result<const Json*> Array(const char* key, bool required = false) const;

  // "<prefix>.<key>" for nested readers and messages.
  std::string Path(std::string_view key) const;
  const std::string& where() const { return where_; }
  Status Error(std::string_view key, std::string_view problem) const;

 private:
  const Json* Find(const char* key) const;

  const Json& object_;
  std::string where_;
  std::string prefix_;
};

// Writers that skip empty values, as Go's `omitempty` does.
void PutString(Json& out, const char* key, const std::string& value);
void PutStringList(Json& out, const char* key, const std::vector<std::string>& value);
void PutStringMap(Json& out, const char* key, const std::map<std::string, std::string>& value);
void PutKeySet(Json& out, const char* key, const std::set<std::string>& value);

Json DescriptorToJson(const Descriptor& d);
Status DescriptorFromJson(const FieldReader& r, Descriptor* out);
// Decodes the descriptor at `key` of `r`'s object.
Status DescriptorField(const FieldReader& r, const char* key, Descriptor* out, bool required);
Status DescriptorList(const FieldReader& r, const char* key, std::vector<Descriptor>* out);

}  // namespace strata::image::json_internal
