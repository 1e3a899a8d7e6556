#include "image/archive_reader.h"

#include <algorithm>
#include <map>
#include <set>

#include "image/archive_scan.h"
#include "image/compression.h"
#include "image/image_config.h"
#include "image/index.h"
#include "image/json_fields.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "image/reference.h"

namespace strata::image {
namespace {

using archive_internal::ScannedArchive;
using archive_internal::ScannedFile;
using json_internal::Json;

constexpr std::string_view kAnnotationImageName = "io.containerd.image.name";
constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
constexpr int kMaxIndexDepth = 4;

std::string BlobPath(const Digest& d) { return "blobs/" + d.algorithm() + "/" + d.hex(); }
std::string Quote(const std::string& s) { return "\"" + s + "\""; }

Status Incomplete(const std::string& named_by, const std::string& what, const std::string& path) {
  return Status::Corruption("image archive: " + named_by + " names " + what + " " + Quote(path) +
                            ", which is not in the archive; the archive is incomplete, save "
                            "it again");
}

std::string_view LayerTypeFor(std::string_view head) {
  switch (DetectCompression(head)) {
    case Compression::kGzip:
      return media_type::kOciLayerGzip;
    case Compression::kZstd:
      return media_type::kOciLayerZstd;
    case Compression::kNone:
      break;
  }
  return media_type::kOciLayer;
}

// An attestation or other non-runnable entry of a BuildKit index.
bool IsAttestation(const Descriptor& d) {
  auto it = d.annotations.find("vnd.docker.reference.type");
  if (it != d.annotations.end()) return true;
  return d.platform && d.platform->os == "unknown";
}

class Resolver {
 public:
  Resolver(const ScannedArchive& archive, ArchiveSink& sink, const ArchiveReadOptions& options)
      : archive_(archive), sink_(sink), options_(options) {}

  Result<std::vector<LoadedImage>> Run() {
    bool oci = archive_.Find("index.json") != nullptr;
    bool docker = archive_.Find("manifest.json") != nullptr;
    if (!oci && !docker) {
      return Status::InvalidArgument(
          "image archive has neither manifest.json (Docker) nor index.json (OCI), so it is not "
          "an image archive; give a tar written by `docker save`, `strata image save` or skopeo");
    }
    if (oci) {
      TRY(CheckLayoutVersion());
      TRY(FromOciIndex());
    }
    if (docker) TRY(FromDockerManifest(/*tags_only=*/oci));
    for (LoadedImage& image : images_) {
      std::sort(image.tags.begin(), image.tags.end());
      image.tags.erase(std::unique(image.tags.begin(), image.tags.end()), image.tags.end());
    }
    return std::move(images_);
  }

 private:
  // The kept JSON text of the archive file at `path`.
  Result<const std::string*> JsonOf(const ScannedFile& file, const std::string& path) {
    if (!file.json) {
      return Status::InvalidArgument("image archive: " + Quote(path) +
                                     " is not a JSON document of at most " +
                                     std::to_string(archive_internal::kMaxJsonSize) + " bytes");
    }
    return &*file.json;
  }

  Result<const ScannedFile*> BlobNamedBy(const Digest& digest, const std::string& named_by) {
    const ScannedFile* file = archive_.Find(BlobPath(digest));
    if (file == nullptr) return Incomplete(named_by, "blob", BlobPath(digest));
    return file;
  }

  Status CheckLayoutVersion() {
    const ScannedFile* file = archive_.Find("oci-layout");
    if (file == nullptr) return Status::OK();  // tolerated: index.json says enough
    ASSIGN_OR_RETURN(const std::string* text, JsonOf(*file, "oci-layout"));
    ASSIGN_OR_RETURN(Json json, json_internal::ParseObject(*text, "image archive: oci-layout"));
    std::string version;
    TRY(json_internal::FieldReader(json, "image archive: oci-layout", "")
            .String("imageLayoutVersion", &version, /*required=*/true));
    if (version.rfind("1.", 0) != 0) {
      return Status::InvalidArgument("image archive: oci-layout has imageLayoutVersion " +
                                     Quote(version) + "; only 1.x layouts can be read");
    }
    return Status::OK();
  }

  Status FromOciIndex() {
    ASSIGN_OR_RETURN(const std::string* text, JsonOf(*archive_.Find("index.json"), "index.json"));
    Result<Index> index = Index::FromJson(*text);
    if (!index.ok()) return index.status().Annotate("image archive: index.json");
    for (size_t i = 0; i < index->manifests.size(); ++i) {
      const Descriptor& entry = index->manifests[i];
      std::string where = "index.json manifests[" + std::to_string(i) + "]";
      ASSIGN_OR_RETURN(std::optional<Descriptor> manifest, PickManifest(entry, where, 0));
      if (!manifest) continue;  // not an image (an artifact): nothing to load
      ASSIGN_OR_RETURN(LoadedImage image, FromManifest(*manifest, where));
      std::vector<std::string> tags;
      TRY(TagsOf(entry, where, &tags));
      Add(std::move(image), tags);
    }
    if (images_.empty()) {
      return Status::InvalidArgument("image archive: index.json lists no image manifest");
    }
    return Status::OK();
  }

  // The full references an index.json entry carries: the containerd name,
  // or a ref.name that is itself a name:tag (a bare tag such as "latest"
  // names no repository, so it is not a tag of its own).
  Status TagsOf(const Descriptor& entry, const std::string& where, std::vector<std::string>* out) {
    std::string name;
    if (auto it = entry.annotations.find(std::string(kAnnotationImageName));
        it != entry.annotations.end()) {
      name = it->second;
    } else if (auto ref = entry.annotations.find(std::string(kAnnotationRefName));
               ref != entry.annotations.end() &&
               ref->second.find_first_of(":/") != std::string::npos) {
      name = ref->second;
    }
    if (name.empty()) return Status::OK();
    Result<Reference> ref = ParseReference(name);
    if (!ref.ok()) return ref.status().Annotate("image archive: " + where + " name " + Quote(name));
    out->push_back(ref->String());
    return Status::OK();
  }

  // `entry` itself when it is a manifest; for an index, its manifest for the
  // wanted platform (or its only one); nullopt for anything else.
  Result<std::optional<Descriptor>> PickManifest(const Descriptor& entry, const std::string& where,
                                                 int depth) {
    if (media_type::IsManifest(entry.media_type)) return std::optional<Descriptor>(entry);
    if (!media_type::IsIndex(entry.media_type)) return std::optional<Descriptor>();
    if (depth >= kMaxIndexDepth) {
      return Status::InvalidArgument("image archive: " + where + ": indexes nested deeper than " +
                                     std::to_string(kMaxIndexDepth) + " levels");
    }
    ASSIGN_OR_RETURN(const ScannedFile* file, BlobNamedBy(entry.digest, where));
    ASSIGN_OR_RETURN(const std::string* text, JsonOf(*file, BlobPath(entry.digest)));
    Result<Index> index = Index::FromJson(*text);
    if (!index.ok()) return index.status().Annotate("image archive: " + BlobPath(entry.digest));
    std::vector<const Descriptor*> candidates;
    for (const Descriptor& d : index->manifests) {
      if (IsAttestation(d)) continue;
      if (!media_type::IsManifest(d.media_type) && !media_type::IsIndex(d.media_type)) continue;
      candidates.push_back(&d);
    }
    const Descriptor* pick = nullptr;
    for (const Descriptor* d : candidates) {
      if (d->platform && d->platform->os == options_.os &&
          d->platform->architecture == options_.architecture) {
        pick = d;
        break;
      }
    }
    if (pick == nullptr && candidates.size() == 1) pick = candidates.front();
    if (pick == nullptr) {
      std::string platforms;
      for (const Descriptor* d : candidates) {
        platforms += (platforms.empty() ? "" : ", ") +
                     (d->platform ? d->platform->ToString() : std::string("unknown"));
      }
      return Status::InvalidArgument(
          "image archive: " + where + " is an index " + entry.digest.ToString() + " with no " +
          options_.os + "/" + options_.architecture + " manifest (it has: " +
          (platforms.empty() ? "none" : platforms) + "); save a single platform");
    }
    return PickManifest(*pick, BlobPath(entry.digest), depth + 1);
  }

  Status CheckLayerCount(const ImageConfig& config, size_t layers, const std::string& config_path,
                         const std::string& named_by) {
    if (config.rootfs.diff_ids.size() == layers) return Status::OK();
    return Status::Corruption("image archive: config " + Quote(config_path) + " lists " +
                              std::to_string(config.rootfs.diff_ids.size()) +
                              " rootfs.diff_ids but " + named_by + " has " +
                              std::to_string(layers) + " layers; the image is inconsistent");
  }

  Result<LoadedImage> FromManifest(const Descriptor& d, const std::string& where) {
    const std::string path = BlobPath(d.digest);
    ASSIGN_OR_RETURN(const ScannedFile* file, BlobNamedBy(d.digest, where));
    if (static_cast<uint64_t>(d.size) != file->size) {
      return Status::Corruption("image archive: " + where + " says manifest " + Quote(path) +
                                " is " + std::to_string(d.size) + " bytes but it is " +
                                std::to_string(file->size));
    }
    ASSIGN_OR_RETURN(const std::string* text, JsonOf(*file, path));
    Result<Manifest> manifest = Manifest::FromJson(*text);
    if (!manifest.ok()) return manifest.status().Annotate("image archive: " + path);

    const std::string config_path = BlobPath(manifest->config.digest);
    ASSIGN_OR_RETURN(const ScannedFile* config_file,
                     BlobNamedBy(manifest->config.digest, "manifest " + path));
    ASSIGN_OR_RETURN(const std::string* config_text, JsonOf(*config_file, config_path));
    Result<ImageConfig> config = ImageConfig::FromJson(*config_text);
    if (!config.ok()) return config.status().Annotate("image archive: " + config_path);
    TRY(CheckLayerCount(*config, manifest->layers.size(), config_path, "manifest " + path));

    LoadedImage image;
    image.manifest.media_type = manifest->media_type;
    image.manifest.digest = d.digest;
    image.manifest.size = d.size;
    image.manifest_json = *text;
    image.config = manifest->config.digest;
    for (size_t i = 0; i < manifest->layers.size(); ++i) {
      const Descriptor& layer = manifest->layers[i];
      ASSIGN_OR_RETURN(const ScannedFile* layer_file,
                       BlobNamedBy(layer.digest, "manifest " + path));
      if (static_cast<uint64_t>(layer.size) != layer_file->size) {
        return Status::Corruption("image archive: manifest " + path + " says layer " +
                                  BlobPath(layer.digest) + " is " + std::to_string(layer.size) +
                                  " bytes but it is " + std::to_string(layer_file->size));
      }
      image.layers.push_back(
          LoadedLayer{layer.digest, config->rootfs.diff_ids[i], layer.size, layer.media_type});
    }
    return image;
  }

  Status FromDockerManifest(bool tags_only) {
    ASSIGN_OR_RETURN(const std::string* text,
                     JsonOf(*archive_.Find("manifest.json"), "manifest.json"));
    Json list = Json::parse(text->begin(), text->end(), nullptr, /*allow_exceptions=*/false);
    if (list.is_discarded() || !list.is_array()) {
      return Status::InvalidArgument("image archive: manifest.json is not a JSON array");
    }
    if (list.empty() && !tags_only) {
      return Status::InvalidArgument("image archive: manifest.json lists no image");
    }
    for (size_t i = 0; i < list.size(); ++i) {
      std::string where = "manifest.json[" + std::to_string(i) + "]";
      if (!list[i].is_object()) {
        return Status::InvalidArgument("image archive: " + where + " is not an object");
      }
      json_internal::FieldReader r(list[i], "image archive: manifest.json",
                                   "[" + std::to_string(i) + "]");
      std::string config_name;
      std::vector<std::string> repo_tags, layer_names;
      TRY(r.String("Config", &config_name, /*required=*/true));
      TRY(r.StringList("RepoTags", &repo_tags));
      TRY(r.StringList("Layers", &layer_names));
      std::vector<std::string> tags;
      for (const std::string& tag : repo_tags) {
        Result<Reference> ref = ParseReference(tag);
        if (!ref.ok()) {
          return ref.status().Annotate("image archive: " + where + ".RepoTags " + Quote(tag));
        }
        tags.push_back(ref->String());
      }
      ASSIGN_OR_RETURN(std::string config_path,
                       archive_internal::CleanPath(config_name, where + ".Config", false));
      const ScannedFile* config_file = archive_.Find(config_path);
      if (config_file == nullptr) return Incomplete(where, "config", config_name);
      if (tags_only) {
        for (LoadedImage& image : images_) {
          if (image.config == config_file->digest) {
            image.tags.insert(image.tags.end(), tags.begin(), tags.end());
          }
        }
        continue;
      }
      ASSIGN_OR_RETURN(LoadedImage image,
                       FromDockerEntry(where, config_path, *config_file, layer_names));
      Add(std::move(image), tags);
    }
    return Status::OK();
  }

  // Builds an OCI manifest for a Docker archive entry and stores it.
  Result<LoadedImage> FromDockerEntry(const std::string& where, const std::string& config_path,
                                      const ScannedFile& config_file,
                                      const std::vector<std::string>& layer_names) {
    ASSIGN_OR_RETURN(const std::string* config_text, JsonOf(config_file, config_path));
    Result<ImageConfig> config = ImageConfig::FromJson(*config_text);
    if (!config.ok()) return config.status().Annotate("image archive: " + config_path);
    TRY(CheckLayerCount(*config, layer_names.size(), config_path, where));
    TRY(EnsureStored(config_file, config_path));

    Manifest manifest;
    manifest.media_type = media_type::kOciManifest;
    manifest.config.media_type = media_type::kOciConfig;
    manifest.config.digest = config_file.digest;
    manifest.config.size = static_cast<int64_t>(config_file.size);
    LoadedImage image;
    image.config = config_file.digest;
    for (size_t i = 0; i < layer_names.size(); ++i) {
      ASSIGN_OR_RETURN(std::string path,
                       archive_internal::CleanPath(layer_names[i], where + ".Layers", false));
      const ScannedFile* file = archive_.Find(path);
      if (file == nullptr) return Incomplete(where, "layer", layer_names[i]);
      TRY(EnsureStored(*file, path));
      const Digest& diff_id = config->rootfs.diff_ids[i];
      std::string_view type = LayerTypeFor(file->head);
      if (type == media_type::kOciLayer && file->digest != diff_id) {
        return Status::Corruption("image archive: layer " + Quote(path) +
                                  " is an uncompressed tar hashing to " + file->digest.ToString() +
                                  " but config " + Quote(config_path) + " rootfs.diff_ids[" +
                                  std::to_string(i) + "] is " + diff_id.ToString());
      }
      Descriptor layer;
      layer.media_type = type;
      layer.digest = file->digest;
      layer.size = static_cast<int64_t>(file->size);
      manifest.layers.push_back(layer);
      image.layers.push_back(LoadedLayer{layer.digest, diff_id, layer.size, layer.media_type});
    }
    image.manifest_json = manifest.ToJson();
    image.manifest.media_type = media_type::kOciManifest;
    image.manifest.digest = Digest::Sha256Of(image.manifest_json);
    image.manifest.size = static_cast<int64_t>(image.manifest_json.size());
    TRY(Store(image.manifest_json, image.manifest.digest, "the manifest written for " + where));
    return image;
  }

  // Hands a kept document that the scan did not store (it looked like the
  // archive's own metadata) to the sink.
  Status EnsureStored(const ScannedFile& file, const std::string& path) {
    if (file.in_sink) return Status::OK();
    if (!file.json) {
      return Status::InvalidArgument("image archive: " + Quote(path) +
                                     " is used as a blob but is archive metadata");
    }
    return Store(*file.json, file.digest, Quote(path));
  }

  Status Store(const std::string& bytes, const Digest& digest, const std::string& what) {
    StringSource source(bytes);
    Result<Digest> stored = sink_.PutBlob(source, digest);
    if (!stored.ok()) return stored.status().Annotate("image archive: storing " + what);
    if (*stored != digest) {
      return Status::Internal("image archive: the blob sink stored " + what + " as " +
                              stored->ToString() + " instead of " + digest.ToString());
    }
    return Status::OK();
  }

  void Add(LoadedImage image, const std::vector<std::string>& tags) {
    auto [it, inserted] = by_manifest_.emplace(image.manifest.digest, images_.size());
    if (inserted) images_.push_back(std::move(image));
    LoadedImage& target = images_[it->second];
    target.tags.insert(target.tags.end(), tags.begin(), tags.end());
  }

  const ScannedArchive& archive_;
  ArchiveSink& sink_;
  const ArchiveReadOptions& options_;
  std::vector<LoadedImage> images_;
  std::map<Digest, size_t> by_manifest_;
};

}  // namespace

Result<std::vector<LoadedImage>> ReadImageArchive(ByteSource* in, ArchiveSink& sink,
                                                  const ArchiveReadOptions& options) {
  ASSIGN_OR_RETURN(ScannedArchive archive, archive_internal::ScanArchive(in, sink));
  return Resolver(archive, sink, options).Run();
}

}  // namespace strata::image
