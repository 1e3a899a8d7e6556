#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/descriptor.h"

namespace strata::image {

// A single-platform image manifest: OCI image manifest v1 or Docker image
// manifest v2 schema 2 (they share the same shape; media_type tells which).
struct Manifest {
  int64_t schema_version = 2;
  std::string media_type;  // media_type::kOciManifest or kDockerManifest
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;

  // Canonical JSON (spec field order, empty fields omitted): the same
  // manifest always gives the same bytes, hence the same digest.
  std::string ToJson() const;
  // Accepts OCI and Docker schema 2 manifests. A missing mediaType is taken
  // as OCI. Rejects schemaVersion other than 2, a mediaType that is not a
  // manifest, and malformed fields, naming the field (InvalidArgument).
  static Result<Manifest> FromJson(std::string_view json);

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

}  // namespace strata::image
