#include "coordinator/image_service.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "coordinator/image_inspect.h"
#include "coordinator/image_resolver.h"
#include "image/reference.h"

namespace strata::coordinator {
namespace {

int64_t CreatedSeconds(const cache::ImageRecord& r) { return r.created_unix_nanos / 1000000000; }

// Go's path.Match, as Docker's reference filter uses it: '*' does not cross
// '/', which is fnmatch's FNM_PATHNAME.
bool PathMatch(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0;
}

struct Filter {
  std::string key, value;
};

Result<std::vector<Filter>> ParseFilters(const std::vector<std::string>& filters) {
  static const std::set<std::string> kKeys = {"reference", "dangling", "label", "before", "since"};
  std::vector<Filter> out;
  for (const auto& f : filters) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("bad format of filter (expected name=value): " + f);
    }
    Filter filter{f.substr(0, eq), f.substr(eq + 1)};
    if (!kKeys.count(filter.key)) {
      return Status::InvalidArgument("invalid filter '" + filter.key +
                                     "': use reference, dangling, label, before or since");
    }
    if (filter.key == "dangling" && filter.value != "true" && filter.value != "false") {
      return Status::InvalidArgument("invalid filter 'dangling=" + filter.value +
                                     "': use dangling=true or dangling=false");
    }
    out.push_back(filter);
  }
  return out;
}

}  // namespace

ImageService::ImageService(cache::Store& store, Clock& clock, std::string tmp_dir)
    : store_(store), clock_(clock), tmp_dir_(std::move(tmp_dir)), sizer_(store.blobs()) {}

Result<image::ImageConfig> ImageService::ReadConfig(const cache::ImageRecord& record) {
  ASSIGN_OR_RETURN(std::string bytes, store_.blobs().ReadAll(record.config_digest));
  Result<image::ImageConfig> config = image::ImageConfig::FromJson(bytes);
  if (!config.ok()) {
    return Status::Corruption("image " + record.id.Short() + ": stored config " +
                              record.config_digest.ToString() + " is unreadable: " +
                              config.status().message());
  }
  return config;
}

Result<std::vector<ImageSummary>> ImageService::List(const std::vector<std::string>& filters) {
  ASSIGN_OR_RETURN(std::vector<Filter> parsed, ParseFilters(filters));
  ASSIGN_OR_RETURN(std::vector<cache::ImageRecord> images, store_.metadata().ListImages());
  ASSIGN_OR_RETURN(auto tags, store_.metadata().ListTags());
  std::map<Digest, std::vector<std::string>> tags_of;
  for (const auto& [ref, id] : tags) tags_of[id].push_back(ref);

  // before=/since= compare creation times with a named image.
  std::map<std::string, int64_t> bounds;
  for (const auto& f : parsed) {
    if (f.key == "before" || f.key == "since") {
      ASSIGN_OR_RETURN(ResolvedImage other, ResolveImage(store_.metadata(), f.value));
      bounds[f.key] = other.record.created_unix_nanos;
    }
  }

  // Several reference= patterns (also `image ls NAME` with --filter
  // reference=) are alternatives, as in moby: a tag is kept when any matches.
  std::vector<std::string> patterns;
  for (const auto& f : parsed) {
    if (f.key == "reference") patterns.push_back(f.value);
  }

  std::vector<ImageSummary> out;
  for (const auto& record : images) {
    ImageSummary s;
    s.id = record.id;
    s.created = CreatedSeconds(record);
    ASSIGN_OR_RETURN(s.size, sizer_.Size(record));
    RepoNames names = RepoNamesOf(record, tags_of[record.id]);
    s.repo_tags = std::move(names.tags);
    s.repo_digests = std::move(names.digests);
    s.dangling = s.repo_tags.empty();

    bool keep = true;
    if (!patterns.empty()) {
      std::vector<std::string> kept;
      for (const auto& t : s.repo_tags) {
        std::string name = t.substr(0, t.rfind(':'));
        for (const auto& pattern : patterns) {
          if (PathMatch(pattern, t) || PathMatch(pattern, name)) {
            kept.push_back(t);
            break;
          }
        }
      }
      keep = !kept.empty();
      s.repo_tags = kept;  // Docker shows only the matching tags
    }
    std::optional<image::ImageConfig> config;
    for (const auto& f : parsed) {
      if (f.key == "dangling") {
        keep = keep && (s.dangling == (f.value == "true"));
      } else if (f.key == "label") {
        if (!config) {
          ASSIGN_OR_RETURN(config, ReadConfig(record));
        }
        size_t eq = f.value.find('=');
        std::string key = f.value.substr(0, eq);
        auto it = config->config.labels.find(key);
        bool match = it != config->config.labels.end() &&
                     (eq == std::string::npos || it->second == f.value.substr(eq + 1));
        keep = keep && match;
      } else if (f.key == "before") {
        keep = keep && record.created_unix_nanos < bounds["before"];
      } else if (f.key == "since") {
        keep = keep && record.created_unix_nanos > bounds["since"];
      }
    }
    if (keep) out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ImageSummary& a, const ImageSummary& b) { return a.created > b.created; });
  return out;
}

Result<nlohmann::ordered_json> ImageService::Inspect(const std::string& name) {
  ASSIGN_OR_RETURN(ResolvedImage found, ResolveImage(store_.metadata(), name));
  ASSIGN_OR_RETURN(image::ImageConfig config, ReadConfig(found.record));
  ASSIGN_OR_RETURN(std::vector<std::string> tags, store_.metadata().TagsOf(found.record.id));
  ASSIGN_OR_RETURN(uint64_t size, sizer_.Size(found.record));
  return InspectJson(found.record, config, tags, size);
}

Status ImageService::Tag(const std::string& source, const std::string& target) {
  Result<image::Reference> ref = image::ParseReference(target);
  if (!ref.ok()) {
    return Status::InvalidArgument("Error parsing reference: \"" + target +
                                   "\" is not a valid repository/tag: " + ref.status().message());
  }
  ASSIGN_OR_RETURN(ResolvedImage found, ResolveImage(store_.metadata(), source));
  if (!ref->digest().empty()) {
    return Status::InvalidArgument("refusing to create a tag with a digest reference: " + target);
  }
  return store_.metadata().Tag(ref->String(), found.record.id);
}

Result<std::vector<RemoveLine>> ImageService::Remove(const std::string& name, bool force,
                                                     bool untag_only) {
  ASSIGN_OR_RETURN(ResolvedImage found, ResolveImage(store_.metadata(), name));
  ASSIGN_OR_RETURN(std::vector<std::string> tags, store_.metadata().TagsOf(found.record.id));
  cache::RemoveOutcome outcome;
  if (!found.tag.empty() && (tags.size() > 1 || untag_only)) {
    // One of several tags (or asked to): untag only.
    ASSIGN_OR_RETURN(outcome, store_.Untag(found.tag, untag_only));
  } else {
    if (found.tag.empty() && tags.size() > 1 && !force) {
      return Status::AlreadyExists("conflict: unable to delete " + found.record.id.Short() +
                                   " (must be forced) - image is referenced in multiple "
                                   "repositories");
    }
    ASSIGN_OR_RETURN(outcome, store_.RemoveImage(found.record.id));
  }
  std::vector<RemoveLine> lines;
  std::vector<std::string> untagged = outcome.untagged;
  std::sort(untagged.begin(), untagged.end());
  for (const auto& t : untagged) lines.push_back({false, FamiliarTag(t)});
  for (const auto& id : outcome.deleted_images) lines.push_back({true, id.ToString()});
  return lines;
}

}  // namespace strata::coordinator
