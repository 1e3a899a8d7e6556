#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::image {

// A normalised Docker image reference: domain/path[:tag][@digest], following
// the grammar of distribution/reference (regexp.go, normalize.go).
//
//   "busybox"               -> docker.io/library/busybox:latest
//   "localhost:5000/foo:bar" -> localhost:5000/foo:bar
//   "x@sha256:<hex>"        -> docker.io/library/x@sha256:<hex> (no tag)
class Reference {
 public:
  // "docker.io", "localhost:5000", "ghcr.io"...
  const std::string& domain() const { return domain_; }
  // "library/busybox"
  const std::string& path() const { return path_; }
  // Empty only when the reference has a digest and no tag.
  const std::string& tag() const { return tag_; }
  // "sha256:<hex>" or empty.
  const std::string& digest() const { return digest_; }

  // "docker.io/library/busybox"
  std::string Name() const { return domain_ + "/" + path_; }
  // "docker.io/library/busybox:latest[@sha256:...]"
  std::string String() const;
  // "busybox": docker.io and library/ dropped, as `docker images` shows it.
  std::string FamiliarName() const;
  // "busybox:latest[@sha256:...]"
  std::string FamiliarString() const;

  friend bool operator==(const Reference&, const Reference&) = default;

 private:
  friend Result<Reference> ParseReference(std::string_view text);
  std::string domain_;
  std::string path_;
  std::string tag_;
  std::string digest_;
};

// Parses a reference as `docker pull` does: fills in docker.io/library/ and
// the tag "latest" (unless a digest is given). Errors are InvalidArgument
// with Docker's wording, e.g. "invalid reference format" or
// "invalid reference format: repository name (library/UPPER) must be lowercase".
Result<Reference> ParseReference(std::string_view text);

}  // namespace strata::image
