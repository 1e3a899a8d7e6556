#include "image/manifest.h"

#include "image/json_fields.h"
#include "image/media_types.h"

namespace strata::image {

using json_internal::FieldReader;
using json_internal::Json;

std::string Manifest::ToJson() const {
  Json j = Json::object();
  j["schemaVersion"] = schema_version;
  json_internal::PutString(j, "mediaType", media_type);
  json_internal::PutString(j, "artifactType", artifact_type);
  j["config"] = json_internal::DescriptorToJson(config);
  Json layer_list = Json::array();
  for (const Descriptor& d : layers) layer_list.push_back(json_internal::DescriptorToJson(d));
  j["layers"] = std::move(layer_list);
  if (subject) j["subject"] = json_internal::DescriptorToJson(*subject);
  json_internal::PutStringMap(j, "annotations", annotations);
  return json_internal::Dump(j);
}

Result<Manifest> Manifest::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json json, json_internal::ParseObject(text, "manifest"));
  FieldReader r(json, "manifest", "");
  Manifest m;
  TRY(r.Int("schemaVersion", &m.schema_version, /*required=*/true));
  if (m.schema_version != 2) {
    return r.Error("schemaVersion", "must be 2, got " + std::to_string(m.schema_version) +
                                        " (schema 1 manifests are not supported)");
  }
  TRY(r.String("mediaType", &m.media_type));
  if (m.media_type.empty()) m.media_type = std::string(media_type::kOciManifest);
  if (!media_type::IsManifest(m.media_type)) {
    return r.Error("mediaType", "\"" + m.media_type + "\" is not an image manifest type");
  }
  TRY(r.String("artifactType", &m.artifact_type));
  TRY(json_internal::DescriptorField(r, "config", &m.config, /*required=*/true));
  ASSIGN_OR_RETURN(const Json* layers, r.Array("layers", /*required=*/true));
  (void)layers;
  TRY(json_internal::DescriptorList(r, "layers", &m.layers));
  Descriptor subject;
  ASSIGN_OR_RETURN(const Json* subject_json, r.Object("subject"));
  if (subject_json != nullptr) {
    TRY(json_internal::DescriptorField(r, "subject", &subject, /*required=*/true));
    m.subject = std::move(subject);
  }
  TRY(r.StringMap("annotations", &m.annotations));
  return m;
}

}  // namespace strata::image
