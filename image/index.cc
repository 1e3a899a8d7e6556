#include "image/index.h"

#include "image/json_fields.h"
#include "image/media_types.h"

namespace strata::image {

using json_internal::FieldReader;
using json_internal::Json;

std::string Index::ToJson() const {
  Json j = Json::object();
  j["schemaVersion"] = schema_version;
  json_internal::PutString(j, "mediaType", media_type);
  json_internal::PutString(j, "artifactType", artifact_type);
  Json list = Json::array();
  for (const Descriptor& d : manifests) list.push_back(json_internal::DescriptorToJson(d));
  j["manifests"] = std::move(list);
  if (subject) j["subject"] = json_internal::DescriptorToJson(*subject);
  json_internal::PutStringMap(j, "annotations", annotations);
  return json_internal::Dump(j);
}

Result<Index> Index::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json json, json_internal::ParseObject(text, "index"));
  FieldReader r(json, "index", "");
  Index idx;
  TRY(r.Int("schemaVersion", &idx.schema_version, /*required=*/true));
  if (idx.schema_version != 2) {
    return r.Error("schemaVersion", "must be 2, got " + std::to_string(idx.schema_version));
  }
  TRY(r.String("mediaType", &idx.media_type));
  if (idx.media_type.empty()) idx.media_type = std::string(media_type::kOciIndex);
  if (!media_type::IsIndex(idx.media_type)) {
    return r.Error("mediaType", "\"" + idx.media_type + "\" is not an image index type");
  }
  TRY(r.String("artifactType", &idx.artifact_type));
  ASSIGN_OR_RETURN(const Json* manifests, r.Array("manifests", /*required=*/true));
  (void)manifests;
  TRY(json_internal::DescriptorList(r, "manifests", &idx.manifests));
  ASSIGN_OR_RETURN(const Json* subject_json, r.Object("subject"));
  if (subject_json != nullptr) {
    Descriptor subject;
    TRY(json_internal::DescriptorField(r, "subject", &subject, /*required=*/true));
    idx.subject = std::move(subject);
  }
  TRY(r.StringMap("annotations", &idx.annotations));
  return idx;
}

}  // namespace strata::image
