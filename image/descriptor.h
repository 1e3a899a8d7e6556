#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "image/digest.h"

namespace strata::image {

// The platform an image runs on (OCI image-index "platform").
struct Platform {
  std::string architecture;  // GOARCH values: amd64, arm64, ...
  std::string os;            // GOOS values: linux, windows, ...
  std::string os_version;
  std::vector<std::string> os_features;
  std::string variant;  // e.g. "v8" for arm64

  // "linux/arm64/v8" form, as docker --platform prints it.
  std::string ToString() const;
  friend bool operator==(const Platform&, const Platform&) = default;
};

// A reference to content: media type, digest and size (OCI descriptor).
struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::string artifact_type;

  // Canonical JSON: fields in OCI spec order, empty optional fields omitted.
  std::string ToJson() const;
  // Rejects missing mediaType/digest/size and wrongly typed fields with
  // InvalidArgument naming the field.
  static Result<Descriptor> FromJson(std::string_view json);

  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

}  // namespace strata::image
