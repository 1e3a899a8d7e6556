#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/descriptor.h"

namespace strata::image {

// A multi-platform image: OCI image index or Docker manifest list.
struct Index {
  int64_t schema_version = 2;
  std::string media_type;  // media_type::kOciIndex or kDockerManifestList
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;

  // Canonical JSON, as Manifest::ToJson.
  std::string ToJson() const;
  // Accepts OCI indexes and Docker manifest lists; errors name the field.
  static Result<Index> FromJson(std::string_view json);

  friend bool operator==(const Index&, const Index&) = default;
};

}  // namespace strata::image
