#include "image/descriptor.h"

#include "image/json_fields.h"

namespace strata::image {

using json_internal::FieldReader;
using json_internal::Json;

std::string Platform::ToString() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

std::string Descriptor::ToJson() const {
  return json_internal::Dump(json_internal::DescriptorToJson(*this));
}

Result<Descriptor> Descriptor::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json json, json_internal::ParseObject(text, "descriptor"));
  Descriptor d;
  TRY(json_internal::DescriptorFromJson(FieldReader(json, "descriptor", ""), &d));
  return d;
}

namespace json_internal {

Json DescriptorToJson(const Descriptor& d) {
  Json j = Json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.ToString();
  j["size"] = d.size;
  PutStringList(j, "urls", d.urls);
  PutStringMap(j, "annotations", d.annotations);
  if (d.platform) {
    const Platform& p = *d.platform;
    Json pj = Json::object();
    pj["architecture"] = p.architecture;
    pj["os"] = p.os;
    PutString(pj, "os.version", p.os_version);
    PutStringList(pj, "os.features", p.os_features);
    PutString(pj, "variant", p.variant);
    j["platform"] = std::move(pj);
  }
  PutString(j, "artifactType", d.artifact_type);
  return j;
}

Status DescriptorFromJson(const FieldReader& r, Descriptor* out) {
  TRY(r.String("mediaType", &out->media_type, /*required=*/true));
  TRY(r.DigestField("digest", &out->digest, /*required=*/true));
  TRY(r.Int("size", &out->size, /*required=*/true));
  if (out->size < 0) return r.Error("size", "must not be negative");
  TRY(r.StringList("urls", &out->urls));
  TRY(r.StringMap("annotations", &out->annotations));
  TRY(r.String("artifactType", &out->artifact_type));
  ASSIGN_OR_RETURN(const Json* platform, r.Object("platform"));
  if (platform != nullptr) {
    FieldReader p(*platform, r.where(), r.Path("platform"));
    Platform plat;
    TRY(p.String("architecture", &plat.architecture, /*required=*/true));
    TRY(p.String("os", &plat.os, /*required=*/true));
    TRY(p.String("os.version", &plat.os_version));
    TRY(p.StringList("os.features", &plat.os_features));
    TRY(p.String("variant", &plat.variant));
    out->platform = std::move(plat);
  }
  return Status::OK();
}

Status DescriptorField(const FieldReader& r, const char* key, Descriptor* out, bool required) {
  ASSIGN_OR_RETURN(const Json* obj, r.Object(key, required));
  if (obj == nullptr) return Status::OK();
  return DescriptorFromJson(FieldReader(*obj, r.where(), r.Path(key)), out);
}

Status DescriptorList(const FieldReader& r, const char* key, std::vector<Descriptor>* out) {
  ASSIGN_OR_RETURN(const Json* arr, r.Array(key));
  out->clear();
  if (arr == nullptr) return Status::OK();
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
    const Json& item = (*arr)[i];
    if (!item.is_object()) {
      return r.Error(item_key, std::string("expected a descriptor object, got ") + item.type_name());
    }
    Descriptor d;
    TRY(DescriptorFromJson(FieldReader(item, r.where(), r.Path(item_key)), &d));
    out->push_back(std::move(d));
  }
  return Status::OK();
}

}  // namespace json_internal
}  // namespace strata::image
