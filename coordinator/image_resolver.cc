#include "coordinator/image_resolver.h"

#include <set>

#include "image/reference.h"

namespace strata::coordinator {
namespace {

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

Status NoSuchImage(std::string_view name) {
  return Status::NotFound("No such image: " + std::string(name));
}

}  // namespace

std::string FamiliarTag(std::string_view normalised) {
  Result<image::Reference> ref = image::ParseReference(normalised);
  return ref.ok() ? ref->FamiliarString() : std::string(normalised);
}

RepoNames RepoNamesOf(const cache::ImageRecord& record, const std::vector<std::string>& tags) {
  RepoNames out;
  for (const auto& t : tags) {
    Result<image::Reference> ref = image::ParseReference(t);
    if (ref.ok()) out.tags.push_back(ref->FamiliarString());
  }
  std::set<std::string> seen;
  for (const auto& d : record.repo_digests) {
    Result<image::Reference> ref = image::ParseReference(d);
    std::string familiar = ref.ok() ? ref->FamiliarString() : d;
    if (seen.insert(familiar).second) out.digests.push_back(familiar);
  }
  return out;
}

Result<ResolvedImage> ResolveImage(cache::MetadataStore& store, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("image name is empty");
  std::string_view hex = name.substr(0, 7) == "sha256:" ? name.substr(7) : name;
  // A full id first: it can also parse as a reference name.
  if (hex.size() == 64 && IsHex(hex)) {
    Digest id = Digest::Sha256FromHex(std::string(hex));
    ASSIGN_OR_RETURN(std::optional<cache::ImageRecord> record, store.GetImage(id));
    if (record) return ResolvedImage{std::move(*record), ""};
    return NoSuchImage(name);
  }
  Result<image::Reference> ref = image::ParseReference(name);
  if (ref.ok()) {
    if (!ref->digest().empty() && ref->tag().empty()) {
      // name@sha256:<manifest digest>: any image with that manifest.
      ASSIGN_OR_RETURN(std::vector<cache::ImageRecord> images, store.ListImages());
      for (auto& image : images) {
        if (image.manifest_digest.ToString() == ref->digest()) return ResolvedImage{image, ""};
      }
    } else {
      std::string tag = ref->Name() + ":" + ref->tag();
      ASSIGN_OR_RETURN(std::optional<Digest> id, store.ResolveTag(tag));
      if (id) {
        ASSIGN_OR_RETURN(std::optional<cache::ImageRecord> record, store.GetImage(*id));
        if (record) return ResolvedImage{std::move(*record), tag};
      }
    }
  }
  if (IsHex(hex) && hex.size() >= 1) {
    Result<cache::ImageRecord> found = store.FindImageByPrefix(hex);
    if (found.ok()) return ResolvedImage{std::move(*found), ""};
    if (!found.status().IsNotFound()) return found.status();
  }
  if (!ref.ok()) return ref.status();
  return NoSuchImage(ref->FamiliarString());
}

}  // namespace strata::coordinator
