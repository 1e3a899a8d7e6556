// ImageService::Save and ::Load: archives that are both an OCI layout and a
// Docker archive (image/archive_writer.h, image/archive_reader.h), streamed
// between the archive and the blob store.

#include <unistd.h>

#include <cstdio>
#include <map>

#include "coordinator/blob_sink.h"
#include "coordinator/config_created.h"
#include "coordinator/image_resolver.h"
#include "coordinator/image_service.h"
#include "coordinator/layer_size.h"
#include "image/archive_reader.h"
#include "image/archive_writer.h"
#include "image/byte_sink.h"
#include "image/media_types.h"
#include "image/reference.h"

namespace strata::coordinator {
namespace {

// Serves archive blobs from the store.
class StoreBlobSource : public image::ArchiveBlobSource {
 public:
  explicit StoreBlobSource(cache::BlobStore& blobs) : blobs_(blobs) {}
  Result<std::unique_ptr<image::ByteSource>> Open(const Digest& digest) override {
    ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobReader> reader, blobs_.Open(digest));
    return std::unique_ptr<image::ByteSource>(new ReaderSource(std::move(reader)));
  }
  Result<uint64_t> Size(const Digest& digest) override { return blobs_.Size(digest); }

 private:
  class ReaderSource : public image::ByteSource {
   public:
    explicit ReaderSource(std::unique_ptr<cache::BlobReader> r) : reader_(std::move(r)) {}
    Result<size_t> Read(void* buffer, size_t size) override { return reader_->Read(buffer, size); }

   private:
    std::unique_ptr<cache::BlobReader> reader_;
  };
  cache::BlobStore& blobs_;
};

// Stores archive blobs, remembering the new ones so a failed load removes them.
class StoreArchiveSink : public image::ArchiveSink {
 public:
  StoreArchiveSink(cache::BlobStore& blobs, NewBlobs& added) : blobs_(blobs), added_(added) {}
  Result<Digest> PutBlob(image::ByteSource& data, std::optional<Digest> expected) override {
    ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobWriter> writer, blobs_.Create());
    Sha256Hasher hasher;
    std::vector<char> buf(1 << 20);
    for (;;) {
      ASSIGN_OR_RETURN(size_t n, data.Read(buf.data(), buf.size()));
      if (n == 0) break;
      hasher.Update(buf.data(), n);
      TRY(writer->Write(buf.data(), n));
    }
    Digest digest = hasher.Finish();
    if (expected && *expected != digest) {
      return Status::Corruption("blob content hashes to " + digest.ToString() + ", not " +
                                expected->ToString());
    }
    TRY(added_.Commit(*writer, digest));
    return digest;
  }

 private:
  cache::BlobStore& blobs_;
  NewBlobs& added_;
};

}  // namespace

Status ImageService::Save(const std::vector<std::string>& names, const std::string& output_path) {
  if (names.empty()) return Status::InvalidArgument("save: name at least one image");
  // One archive entry per image; a name that is a tag adds that tag.
  std::vector<image::ArchiveImage> images;
  std::map<Digest, size_t> index_of;
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(ResolvedImage found, ResolveImage(store_.metadata(), name));
    const cache::ImageRecord& r = found.record;
    auto [it, fresh] = index_of.emplace(r.id, images.size());
    if (fresh) {
      image::ArchiveImage a;
      a.manifest.media_type = r.manifest_media_type;
      a.manifest.digest = r.manifest_digest;
      ASSIGN_OR_RETURN(uint64_t size, store_.blobs().Size(r.manifest_digest));
      a.manifest.size = static_cast<int64_t>(size);
      a.config = r.config_digest;
      for (const auto& l : r.layers) {
        image::Descriptor d;
        d.media_type = l.media_type;
        d.digest = l.digest;
        d.size = static_cast<int64_t>(l.size);
        a.layers.push_back(d);
      }
      images.push_back(std::move(a));
    }
    auto& tags = images[it->second].tags;
    if (!found.tag.empty() && std::find(tags.begin(), tags.end(), found.tag) == tags.end()) {
      tags.push_back(found.tag);
    }
  }

  // Written beside the target and renamed: a failed save leaves no partial file.
  std::string tmp = output_path + ".strata-tmp-" + std::to_string(getpid());
  ASSIGN_OR_RETURN(std::unique_ptr<image::FileSink> sink, image::FileSink::Create(tmp));
  StoreBlobSource source(store_.blobs());
  Status written = image::WriteImageArchive(images, source, sink.get());
  if (!written.ok()) {
    sink.reset();
    ::unlink(tmp.c_str());
    return written.Annotate("save");
  }
  if (::rename(tmp.c_str(), output_path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IOError("save: cannot write " + output_path + ": check the directory exists and is writable");
  }
  return Status::OK();
}

Result<LoadOutcome> ImageService::Load(const std::string& input_path) {
  ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> in, image::FileSource::Open(input_path));
  NewBlobs added(store_.blobs());
  StoreArchiveSink sink(store_.blobs(), added);
  Result<std::vector<image::LoadedImage>> loaded = image::ReadImageArchive(in.get(), sink);
  if (!loaded.ok()) return loaded.status().Annotate("load " + input_path);

  // Check every image before recording any, so a bad one records nothing.
  std::vector<std::pair<cache::ImageRecord, std::vector<std::string>>> records;
  for (const auto& li : *loaded) {
    cache::ImageRecord r;
    r.id = li.config;
    r.config_digest = li.config;
    r.manifest_digest = li.manifest.digest;
    r.manifest_media_type = li.manifest.media_type;
    ASSIGN_OR_RETURN(std::string config_json, store_.blobs().ReadAll(li.config));
    Result<image::ImageConfig> config = image::ImageConfig::FromJson(config_json);
    if (!config.ok()) return config.status().Annotate("load " + input_path + ": config " + li.config.ToString());
    r.config_media_type = li.manifest.media_type == image::media_type::kDockerManifest
                              ? std::string(image::media_type::kDockerConfig)
                              : std::string(image::media_type::kOciConfig);
    r.total_size = li.manifest.size + config_json.size();
    for (const auto& l : li.layers) {
      r.layers.push_back({l.digest, l.diff_id, static_cast<uint64_t>(l.size), l.media_type});
      r.total_size += l.size;
    }
    // An archive does not say how large its layers unpack: count once here.
    Status sized = FillUncompressedSizes(store_.blobs(), &r.layers);
    if (!sized.ok()) return sized.Annotate("load " + input_path);
    r.created_unix_nanos = CreatedUnixNanos(config->created);
    r.platform = config->os + "/" + config->architecture;
    records.emplace_back(std::move(r), li.tags);
  }
  LoadOutcome out;
  std::vector<Digest> recorded;
  for (const auto& [record, tags] : records) {
    Status put = store_.PutImage(record, tags);
    if (!put.ok()) {
      // Undo the images recorded so far; their new blobs go with `added`.
      for (const Digest& id : recorded) store_.RemoveImage(id).status().PermitUncheckedError();
      return put.Annotate("load " + input_path);
    }
    recorded.push_back(record.id);
    if (tags.empty()) out.loaded_ids.push_back(record.id.ToString());
    for (const auto& t : tags) out.loaded_refs.push_back(FamiliarTag(t));
  }
  added.Keep();
  return out;
}

}  // namespace strata::coordinator
