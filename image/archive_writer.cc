#include "image/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <set>
#include <vector>

#include "image/archive_locale.h"
#include "image/index.h"
#include "image/json_fields.h"
#include "image/media_types.h"
#include "image/reference.h"

namespace strata::image {
namespace {

using json_internal::Json;

constexpr size_t kCopyBuffer = 1 << 20;
constexpr std::string_view kAnnotationImageName = "io.containerd.image.name";
constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";

std::string BlobPath(const Digest& d) { return "blobs/" + d.algorithm() + "/" + d.hex(); }

// A tar written through libarchive into a ByteSink, with fixed metadata so
// the same entries always give the same bytes.
class TarOut {
 public:
  explicit TarOut(ByteSink* out) : out_(out), a_(archive_write_new()), entry_(archive_entry_new()) {
    archive_write_set_format_pax_restricted(a_);
    archive_write_set_bytes_per_block(a_, 64 * 1024);
    archive_write_set_bytes_in_last_block(a_, 1);
    archive_write_open2(a_, this, nullptr, &TarOut::WriteCallback, nullptr, nullptr);
  }
  ~TarOut() {
    archive_entry_free(entry_);
    archive_write_free(a_);
  }
  TarOut(const TarOut&) = delete;
  TarOut& operator=(const TarOut&) = delete;

  Status Directory(const std::string& name) { return Header(name + "/", AE_IFDIR, 0755, 0); }

  Status File(const std::string& name, std::string_view content) {
    TRY(Header(name, AE_IFREG, 0644, content.size()));
    if (content.empty()) return Status::OK();
    if (archive_write_data(a_, content.data(), content.size()) !=
        static_cast<la_ssize_t>(content.size())) {
      return Error("data of " + name);
    }
    return Status::OK();
  }

  // Streams `size` bytes of `blob` from `source`, checking size and digest.
  Status Blob(const Digest& blob, uint64_t size, ByteSource* source) {
    std::string name = BlobPath(blob);
    TRY(Header(name, AE_IFREG, 0644, size));
    if (buffer_.empty()) buffer_.resize(kCopyBuffer);
    Sha256Hasher hasher;
    uint64_t copied = 0;
    for (;;) {
      Result<size_t> n = source->Read(buffer_.data(), buffer_.size());
      if (!n.ok()) return n.status().Annotate("image archive: reading blob " + blob.ToString());
      if (*n == 0) break;
      if (*n > size - copied) {
        return Damaged(blob, "is longer than its recorded size " + std::to_string(size));
      }
      hasher.Update(buffer_.data(), *n);
      if (archive_write_data(a_, buffer_.data(), *n) != static_cast<la_ssize_t>(*n)) {
        return Error("data of " + name);
      }
      copied += *n;
    }
    if (copied != size) {
      return Damaged(blob, "has " + std::to_string(copied) + " bytes, not its recorded size " +
                               std::to_string(size));
    }
    if (blob.algorithm() == "sha256") {
      Digest got = hasher.Finish();
      if (got != blob) {
        return Damaged(blob, "hashes to " + got.ToString());
      }
    }
    return Status::OK();
  }

  Status Finish() {
    if (archive_write_close(a_) != ARCHIVE_OK) return Error("end of archive");
    return Status::OK();
  }

 private:
  static la_ssize_t WriteCallback(archive*, void* self, const void* data, size_t size) {
    auto* t = static_cast<TarOut*>(self);
    Status s = t->out_->Write(data, size);
    if (!s.ok()) {
      if (t->sink_error_.ok()) t->sink_error_ = s;
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  Status Header(const std::string& name, unsigned type, unsigned perm, uint64_t size) {
    archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kWrite);
    archive_entry_clear(entry_);
    archive_entry_copy_pathname(entry_, name.c_str());
    archive_entry_set_mode(entry_, type | perm);
    archive_entry_set_uid(entry_, 0);
    archive_entry_set_gid(entry_, 0);
    archive_entry_set_mtime(entry_, 0, 0);
    archive_entry_set_size(entry_, static_cast<la_int64_t>(size));
    if (archive_write_header(a_, entry_) != ARCHIVE_OK) return Error("header of " + name);
    return Status::OK();
  }

  static Status Damaged(const Digest& blob, const std::string& problem) {
    return Status::Corruption("image archive: blob " + blob.ToString() + " in the store " +
                              problem +
                              "; the blob store is damaged, pull or build the image again");
  }

  Status Error(const std::string& what) {
    if (!sink_error_.ok()) return sink_error_;
    const char* msg = archive_error_string(a_);
    return Status::IOError("image archive: cannot write " + what + ": " +
                           (msg ? msg : "unknown libarchive error"));
  }

  ByteSink* out_;
  archive* a_;
  archive_entry* entry_;
  Status sink_error_;
  std::vector<char> buffer_;
};

// The tags of `image` parsed, refusing anything that is not name:tag.
Result<std::vector<Reference>> ParseTags(const ArchiveImage& image) {
  std::vector<Reference> refs;
  for (const std::string& tag : image.tags) {
    Result<Reference> ref = ParseReference(tag);
    if (!ref.ok()) {
      return Status::InvalidArgument("cannot save image " + image.manifest.digest.ToString() +
                                     " as \"" + tag + "\": " + ref.status().message());
    }
    if (ref->tag().empty() || !ref->digest().empty()) {
      return Status::InvalidArgument("cannot save image " + image.manifest.digest.ToString() +
                                     " as \"" + tag +
                                     "\": an archive tag must be name:tag "
                                     "without a digest");
    }
    refs.push_back(*std::move(ref));
  }
  return refs;
}

std::string IndexJson(const std::vector<ArchiveImage>& images,
                      const std::vector<std::vector<Reference>>& tags) {
  Index index;
  index.media_type = media_type::kOciIndex;
  for (size_t i = 0; i < images.size(); ++i) {
    Descriptor d;
    d.media_type = images[i].manifest.media_type;
    d.digest = images[i].manifest.digest;
    d.size = images[i].manifest.size;
    if (tags[i].empty()) index.manifests.push_back(d);
    for (const Reference& ref : tags[i]) {
      Descriptor tagged = d;
      tagged.annotations[std::string(kAnnotationImageName)] = ref.String();
      tagged.annotations[std::string(kAnnotationRefName)] = ref.tag();
      index.manifests.push_back(std::move(tagged));
    }
  }
  return index.ToJson();
}

std::string DockerManifestJson(const std::vector<ArchiveImage>& images,
                               const std::vector<std::vector<Reference>>& tags) {
  Json list = Json::array();
  for (size_t i = 0; i < images.size(); ++i) {
    Json entry = Json::object();
    entry["Config"] = BlobPath(images[i].config);
    if (tags[i].empty()) {
      entry["RepoTags"] = nullptr;
    } else {
      Json repo_tags = Json::array();
      for (const Reference& ref : tags[i]) repo_tags.push_back(ref.FamiliarString());
      entry["RepoTags"] = std::move(repo_tags);
    }
    Json layers = Json::array();
    for (const Descriptor& layer : images[i].layers) layers.push_back(BlobPath(layer.digest));
    entry["Layers"] = std::move(layers);
    list.push_back(std::move(entry));
  }
  return json_internal::Dump(list) + "\n";
}

}  // namespace

Status WriteImageArchive(const std::vector<ArchiveImage>& images, ArchiveBlobSource& blobs,
                         ByteSink* out) {
  if (images.empty()) return Status::InvalidArgument("image archive: no images to save");
  std::vector<std::vector<Reference>> tags;
  std::set<Digest> all_blobs;
  std::map<Digest, int64_t> declared_sizes;  // sizes the descriptors promise
  for (const ArchiveImage& image : images) {
    if (!media_type::IsManifest(image.manifest.media_type)) {
      return Status::InvalidArgument("cannot save " + image.manifest.digest.ToString() +
                                     ": media type \"" + image.manifest.media_type +
                                     "\" is not an image manifest; save one platform's manifest");
    }
    ASSIGN_OR_RETURN(std::vector<Reference> refs, ParseTags(image));
    tags.push_back(std::move(refs));
    all_blobs.insert(image.manifest.digest);
    all_blobs.insert(image.config);
    declared_sizes[image.manifest.digest] = image.manifest.size;
    for (const Descriptor& layer : image.layers) {
      all_blobs.insert(layer.digest);
      declared_sizes[layer.digest] = layer.size;
    }
  }

  // Entry names in sorted order: "blobs/", "blobs/<alg>/", "blobs/<alg>/<hex>"...,
  // "index.json", "manifest.json", "oci-layout". std::set<Digest> orders by
  // algorithm then hex, which is the order of the paths.
  TarOut tar(out);
  TRY(tar.Directory("blobs"));
  std::string current_algorithm;
  for (const Digest& blob : all_blobs) {
    if (blob.algorithm() != current_algorithm) {
      current_algorithm = blob.algorithm();
      TRY(tar.Directory("blobs/" + current_algorithm));
    }
    Result<uint64_t> size = blobs.Size(blob);
    if (!size.ok()) return size.status().Annotate("image archive: blob " + blob.ToString());
    auto declared = declared_sizes.find(blob);
    if (declared != declared_sizes.end() && static_cast<uint64_t>(declared->second) != *size) {
      return Status::Corruption("image archive: blob " + blob.ToString() + " is " +
                                std::to_string(*size) +
                                " bytes in the store but its descriptor "
                                "says " +
                                std::to_string(declared->second) +
                                "; the image record is damaged, pull or build the image again");
    }
    Result<std::unique_ptr<ByteSource>> source = blobs.Open(blob);
    if (!source.ok()) return source.status().Annotate("image archive: blob " + blob.ToString());
    TRY(tar.Blob(blob, *size, source->get()));
  }
  TRY(tar.File("index.json", IndexJson(images, tags)));
  TRY(tar.File("manifest.json", DockerManifestJson(images, tags)));
  TRY(tar.File("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  TRY(tar.Finish());
  return out->Close();
}

}  // namespace strata::image
