#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/metadata_store.h"
#include "common/result.h"

namespace strata::coordinator {

// How a name given on the command line found its image.
struct ResolvedImage {
  cache::ImageRecord record;
  // The normalised tag when the name was a reference to a tag
  // ("docker.io/library/busybox:latest"); empty when it was an id or digest.
  std::string tag;
};

// Finds the image a user means by `name`, in Docker's order: a full id
// ("sha256:<hex>"), a reference ("busybox", "busybox:1", "localhost:5000/x:y"),
// then an unambiguous id prefix ("3f57d9401f8d", "sha256:3f57"). NotFound
// reads "No such image: NAME"; an ambiguous prefix is InvalidArgument.
Result<ResolvedImage> ResolveImage(cache::MetadataStore& store, std::string_view name);

// The familiar form of a stored (normalised) tag: "busybox:latest".
std::string FamiliarTag(std::string_view normalised);

// An image's tags and its recorded RepoDigests (the repositories it was
// pulled from or pushed to), both in familiar form, as `docker image
// ls/inspect` show RepoTags and RepoDigests. An image only built or loaded
// here has no RepoDigests, as in Docker.
struct RepoNames {
  std::vector<std::string> tags;
  std::vector<std::string> digests;
};
RepoNames RepoNamesOf(const cache::ImageRecord& record, const std::vector<std::string>& tags);

}  // namespace strata::coordinator
