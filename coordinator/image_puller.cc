#include "coordinator/image_puller.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "common/thread_top.h"
#include "coordinator/config_created.h"
#include "coordinator/image_resolver.h"
#include "image/byte_sink.h"
#include "image/compression.h"
#include "image/image_config.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "registry/platform_match.h"

namespace strata::coordinator {
namespace {

// "3f57d9401f8d": Docker's layer id in pull progress.
std::string ShortId(const Digest& d) { return d.hex().substr(0, 12); }

// Computes a layer's diff_id from its compressed bytes, fed as they come:
// while it downloads (no second pass, on the download's own thread), or
// read back from the store (CheckDiffId).
class DiffIdObserver : public registry::BlobObserver {
 public:
  DiffIdObserver() { Restart(); }

  void Restart() override {
    tar_ = std::make_unique<image::HashingSink>(&discard_);
    decompress_ = image::NewDecompressingSink(tar_.get());
    error_ = Status::OK();
  }

  void Update(std::string_view bytes) override {
    if (error_.ok()) error_ = decompress_->Write(bytes);
  }

  // After the last byte: the tar's digest and size.
  Result<std::pair<Digest, uint64_t>> Finish() {
    if (error_.ok()) error_ = decompress_->Close();
    if (!error_.ok()) return error_;
    uint64_t size = tar_->size();
    return std::make_pair(tar_->Finish(), size);
  }

 private:
  image::NullSink discard_;
  std::unique_ptr<image::HashingSink> tar_;
  std::unique_ptr<image::ByteSink> decompress_;
  Status error_;
};

Status DiffIdMismatch(const Digest& layer, const Digest& got, const Digest& diff_id) {
  return Status::Corruption("layer " + layer.ToString() + ": its uncompressed content hashes to " +
                            got.ToString() + ", not the diff_id " + diff_id.ToString() +
                            " its image config names; the image in the registry is damaged");
}

// Decompresses a stored layer through a DiffIdObserver, checking its
// content against the config's diff_id; returns the tar's size (what
// `image ls` adds up).
Result<uint64_t> CheckDiffId(cache::BlobStore& blobs, const Digest& layer, const Digest& diff_id) {
  ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobReader> reader, blobs.Open(layer));
  DiffIdObserver tar;
  std::vector<char> buf(1 << 20);
  for (;;) {
    Result<size_t> n = reader->Read(buf.data(), buf.size());
    if (!n.ok()) return n.status().Annotate("layer " + layer.ToString());
    if (*n == 0) break;
    tar.Update(std::string_view(buf.data(), *n));
  }
  Result<std::pair<Digest, uint64_t>> content = tar.Finish();
  if (!content.ok()) return content.status().Annotate("layer " + layer.ToString());
  if (content->first != diff_id) return DiffIdMismatch(layer, content->first, diff_id);
  return content->second;
}

std::string PlatformOf(const image::ImageConfig& config) {
  std::string p = config.os + "/" + config.architecture;
  if (!config.variant.empty()) p += "/" + config.variant;
  return p;
}

}  // namespace

// One pull from its resolve to its record. Not thread-safe itself; its
// download threads report through Emit, which serialises.
class ImagePuller::Attempt {
 public:
  Attempt(ImagePuller& puller, const image::Reference& ref, std::string platform,
          const PullEventFn& events)
      : p_(puller), ref_(ref), platform_(std::move(platform)), events_(events) {}

  ~Attempt() {
    if (!done_) p_.DeleteUnused(candidates_);
    for (const Digest& d : pinned_) p_.Unpin(d);
  }

  Result<PullOutcome> Run() {
    Result<registry::ResolvedImage> resolved = p_.client_.Resolve(ref_, platform_);
    if (!resolved.ok()) return resolved.status();
    const registry::FetchedManifest& fetched = resolved->manifest;
    Result<image::Manifest> manifest = image::Manifest::FromJson(fetched.bytes);
    if (!manifest.ok()) {
      return Status::InvalidArgument(ref_.String() + ": the registry's manifest " +
                                     fetched.digest.ToString() +
                                     " cannot be read: " + manifest.status().message());
    }
    if (!image::media_type::IsConfig(manifest->config.media_type)) {
      return Status::InvalidArgument(ref_.String() + " is not a container image (its config is " +
                                     manifest->config.media_type + ")");
    }
    Emit({ref_.tag().empty() ? ref_.digest() : ref_.tag(), "Pulling from " + FamiliarPath()});

    // The config first: it names the layers' diff_ids and the platform.
    TRY(Fetch(manifest->config, /*diff_id=*/nullptr));
    ASSIGN_OR_RETURN(std::string config_json, p_.store_.blobs().ReadAll(manifest->config.digest));
    Result<image::ImageConfig> config = image::ImageConfig::FromJson(config_json);
    if (!config.ok()) {
      return Status::InvalidArgument(ref_.String() + ": image config " +
                                     manifest->config.digest.ToString() +
                                     " cannot be read: " + config.status().message());
    }
    if (config->rootfs.diff_ids.size() != manifest->layers.size()) {
      return Status::InvalidArgument(
          ref_.String() + ": the manifest lists " + std::to_string(manifest->layers.size()) +
          " layers but the config's rootfs has " + std::to_string(config->rootfs.diff_ids.size()) +
          " diff_ids; the image in the registry is damaged");
    }
    if (!resolved->platform) TRY(CheckPlatform(*config));

    TRY(FetchLayers(manifest->layers, config->rootfs.diff_ids));

    // The image may be stored already (a no-op pull, another tag): its
    // layers were checked when it was stored and their sizes are known.
    std::optional<cache::ImageRecord> before;
    if (auto old = p_.store_.metadata().GetImage(manifest->config.digest);
        old.ok() && old->has_value()) {
      before = **old;
    }
    std::vector<cache::LayerRecord> layers;
    for (size_t i = 0; i < manifest->layers.size(); ++i) {
      const image::Descriptor& d = manifest->layers[i];
      cache::LayerRecord l{d.digest, config->rootfs.diff_ids[i], static_cast<uint64_t>(d.size),
                           d.media_type};
      if (before && i < before->layers.size() && before->layers[i].digest == d.digest &&
          before->layers[i].diff_id == l.diff_id && before->layers[i].uncompressed_size != 0) {
        l.uncompressed_size = before->layers[i].uncompressed_size;
      } else if (auto seen = checked_.find(d.digest); seen != checked_.end()) {
        // Checked while it downloaded (against the first position naming it).
        if (seen->second.first != l.diff_id) {
          return DiffIdMismatch(d.digest, seen->second.first, l.diff_id);
        }
        l.uncompressed_size = seen->second.second;
      } else {
        ASSIGN_OR_RETURN(l.uncompressed_size,
                         CheckDiffId(p_.store_.blobs(), d.digest, config->rootfs.diff_ids[i]));
      }
      layers.push_back(std::move(l));
    }
    for (const image::Descriptor& d : manifest->layers) {
      if (fetched_.contains(d.digest)) Emit({ShortId(d.digest), "Pull complete"});
    }

    // The manifest, byte for byte.
    Pin(fetched.digest);
    ASSIGN_OR_RETURN(bool had_manifest, p_.store_.blobs().Has(fetched.digest));
    if (!had_manifest) {
      candidates_.push_back(fetched.digest);
      Result<Digest> put = p_.store_.blobs().Put(fetched.bytes, fetched.digest);
      if (!put.ok()) return put.status().Annotate(ref_.String() + ": storing its manifest");
    }

    cache::ImageRecord record;
    record.id = manifest->config.digest;
    record.config_digest = manifest->config.digest;
    record.config_media_type = manifest->config.media_type;
    record.manifest_digest = fetched.digest;
    record.manifest_media_type =
        manifest->media_type.empty() ? fetched.media_type : manifest->media_type;
    record.layers = std::move(layers);
    record.created_unix_nanos = CreatedUnixNanos(config->created);
    record.total_size = fetched.bytes.size() + static_cast<uint64_t>(manifest->config.size);
    for (const auto& l : record.layers) record.total_size += l.size;
    record.platform = PlatformOf(*config);

    // An image already stored keeps its other RepoDigests.
    std::string repo_digest = ref_.Name() + "@" + resolved->top_digest.ToString();
    if (before) record.repo_digests = before->repo_digests;
    if (std::find(record.repo_digests.begin(), record.repo_digests.end(), repo_digest) ==
        record.repo_digests.end()) {
      record.repo_digests.push_back(repo_digest);
    }
    std::vector<std::string> tags;
    bool tag_moved = false;
    if (ref_.digest().empty()) {
      tags.push_back(ref_.String());
      Result<std::optional<Digest>> current = p_.store_.metadata().ResolveTag(ref_.String());
      tag_moved = !current.ok() || !current->has_value() || **current != record.id;
    }
    if (Status put = p_.store_.PutImage(record, tags); !put.ok()) {
      return put.Annotate(ref_.String() + ": recording the image");
    }
    done_ = true;

    PullOutcome out;
    out.reference = ref_;
    out.digest = resolved->top_digest;
    out.record = std::move(record);
    out.newer = !before || tag_moved || !fetched_.empty() || !had_manifest;
    out.blobs_fetched = static_cast<int>(fetched_.size());
    return out;
  }

 private:
  // "library/busybox" for Docker Hub, else the path (Docker's "Pulling from").
  std::string FamiliarPath() const { return ref_.path(); }

  void Emit(const PullEvent& e) {
    if (!events_) return;
    std::lock_guard lock(emit_mu_);
    events_(e);
  }

  // Each digest once per attempt: DeleteUnused counts one pin as the
  // failing attempt's own.
  void Pin(const Digest& d) {
    std::lock_guard lock(pin_mu_);
    if (pinned_.insert(d).second) p_.Pin(d);
  }

  Status CheckPlatform(const image::ImageConfig& config) {
    if (platform_.empty()) return Status::OK();
    ASSIGN_OR_RETURN(image::Platform want, registry::ParsePlatform(platform_));
    bool variant_ok = want.variant.empty() || want.variant == config.variant;
    if (config.os == want.os && config.architecture == want.architecture && variant_ok) {
      return Status::OK();
    }
    return Status::NotFound("image with reference " + ref_.FamiliarString() +
                            " was found but does not match the specified platform: wanted " +
                            want.ToString() + ", actual: " + PlatformOf(config));
  }

  // Downloads `blob` unless the store has it (or another pull is fetching
  // it: then waits for that download), verified, into the store. A layer
  // comes with the diff_id its config names; the config with none.
  Status Fetch(const image::Descriptor& blob, const Digest* diff_id) {
    const bool layer = diff_id != nullptr;
    Pin(blob.digest);
    ASSIGN_OR_RETURN(bool present, p_.store_.blobs().Has(blob.digest));
    if (present) {
      if (layer) Emit({ShortId(blob.digest), "Already exists"});
      return Status::OK();
    }
    {
      std::lock_guard lock(emit_mu_);
      candidates_.push_back(blob.digest);
    }
    const std::string id = ShortId(blob.digest);
    KeyedOnce<bool>::Outcome got = p_.blobs_.Run(blob.digest.ToString(), [&]() -> Result<bool> {
      // Another pull may have finished it between the check and here.
      ASSIGN_OR_RETURN(bool now_present, p_.store_.blobs().Has(blob.digest));
      if (now_present) return false;
      TRY(Download(blob, layer ? id : std::string(), diff_id));
      return true;
    });
    if (!got.result.ok()) return got.result.status();
    if (layer) {
      if (*got.result && got.led) {
        std::lock_guard lock(emit_mu_);
        fetched_.insert(blob.digest);
      } else {
        Emit({id, "Already exists"});  // another pull brought it meanwhile
      }
    } else if (*got.result && got.led) {
      std::lock_guard lock(emit_mu_);
      fetched_.insert(blob.digest);
    }
    return Status::OK();
  }

  Status Download(const image::Descriptor& blob, const std::string& id, const Digest* diff_id) {
    static std::atomic<uint64_t> counter{0};
    std::string tmp = p_.options_.tmp_dir + "/pull-" + blob.digest.hex().substr(0, 16) + "-" +
                      std::to_string(getpid()) + "-" + std::to_string(++counter);
    if (!id.empty()) Emit({id, "Downloading", 0, static_cast<uint64_t>(blob.size)});
    registry::ProgressFn progress;
    if (!id.empty()) {
      progress = [&](const registry::BlobProgress& b) {
        Emit({id, "Downloading", b.done, b.total ? b.total : static_cast<uint64_t>(blob.size)});
      };
    }
    std::optional<DiffIdObserver> tar;
    if (diff_id != nullptr) tar.emplace();
    Status fetched = p_.client_.FetchBlob(ref_, blob, tmp, progress, tar ? &*tar : nullptr);
    if (!fetched.ok()) {
      ::unlink(tmp.c_str());
      return fetched;
    }
    if (!id.empty()) Emit({id, "Verifying Checksum"});
    if (tar) {
      Result<std::pair<Digest, uint64_t>> content = tar->Finish();
      if (content.ok() && content->first != *diff_id) {
        content = DiffIdMismatch(blob.digest, content->first, *diff_id);
      }
      if (!content.ok()) {
        ::unlink(tmp.c_str());
        return content.status().Annotate(ref_.String() + ": layer " + blob.digest.ToString());
      }
      std::lock_guard lock(emit_mu_);
      checked_[blob.digest] = *content;
    }
    // FetchBlob hashed every byte it wrote: the file moves in as it is.
    Result<Digest> stored = p_.store_.blobs().AdoptFile(tmp, blob.digest);
    if (!stored.ok()) {
      return stored.status().Annotate(ref_.String() + ": blob " + blob.digest.ToString());
    }
    if (!id.empty()) Emit({id, "Download complete"});
    return Status::OK();
  }

  // The layers the store lacks, `parallel_downloads` at a time.
  Status FetchLayers(const std::vector<image::Descriptor>& layers,
                     const std::vector<Digest>& diff_ids) {
    for (const image::Descriptor& d : layers) {
      if (!image::media_type::IsLayer(d.media_type)) {
        return Status::InvalidArgument(ref_.String() + ": layer " + d.digest.ToString() +
                                       " has media type " + d.media_type +
                                       ", which strata cannot pull");
      }
    }
    std::vector<std::pair<const image::Descriptor*, const Digest*>> todo;
    std::set<Digest> seen;
    for (size_t i = 0; i < layers.size(); ++i) {
      if (seen.insert(layers[i].digest).second) todo.emplace_back(&layers[i], &diff_ids[i]);
    }
    for (const auto& [d, diff_id] : todo) {
      Pin(d->digest);
      Result<bool> present = p_.store_.blobs().Has(d->digest);
      if (present.ok() && !*present) Emit({ShortId(d->digest), "Pulling fs layer"});
    }
    std::atomic<size_t> next{0};
    std::mutex error_mu;
    Status first_error;
    auto worker = [&] {
      for (size_t i; (i = next++) < todo.size();) {
        {
          std::lock_guard lock(error_mu);
          if (!first_error.ok()) return;
        }
        Status s = Fetch(*todo[i].first, todo[i].second);
        if (!s.ok()) {
          std::lock_guard lock(error_mu);
          if (first_error.ok()) first_error = s;
        }
      }
    };
    if (todo.empty()) return Status::OK();
    int threads = std::clamp(p_.options_.parallel_downloads, 1, static_cast<int>(todo.size()));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        Status crashed = CatchAtThreadTop("pull " + ref_.String(), worker);
        if (!crashed.ok()) {
          std::lock_guard lock(error_mu);
          if (first_error.ok()) first_error = crashed;
        }
      });
    }
    for (std::thread& t : pool) t.join();
    return first_error;
  }

  ImagePuller& p_;
  const image::Reference ref_;
  const std::string platform_;
  const PullEventFn& events_;
  std::mutex emit_mu_;
  std::mutex pin_mu_;
  std::set<Digest> pinned_;         // GUARDED_BY(pin_mu_)
  std::vector<Digest> candidates_;  // GUARDED_BY(emit_mu_): absent when this pull began
  std::set<Digest> fetched_;        // GUARDED_BY(emit_mu_): downloaded by this pull
  // GUARDED_BY(emit_mu_): diff_id and size of the layers this pull downloaded.
  std::map<Digest, std::pair<Digest, uint64_t>> checked_;
  bool done_ = false;
};

ImagePuller::ImagePuller(cache::Store& store, registry::RegistryClient& client,
                         ImagePullerOptions options)
    : store_(store), client_(client), options_(std::move(options)) {}

Result<PullOutcome> ImagePuller::Pull(const image::Reference& ref, const std::string& platform,
                                      const PullEventFn& events) {
  std::string want = platform.empty() ? registry::HostPlatform() : platform;
  const std::string key = ref.String() + " " + want;
  if (events) {
    std::lock_guard lock(audience_mu_);
    audience_[key].push_back(&events);
  }
  PullEventFn broadcast = [this, key](const PullEvent& e) {
    std::lock_guard lock(audience_mu_);
    for (const PullEventFn* listener : audience_[key]) (*listener)(e);
  };
  KeyedOnce<PullOutcome>::Outcome out =
      pulls_.Run(key, [&] { return PullOnce(ref, platform, broadcast); });
  if (events) {
    std::lock_guard lock(audience_mu_);
    std::vector<const PullEventFn*>& listeners = audience_[key];
    std::erase(listeners, &events);
    if (listeners.empty()) audience_.erase(key);
  }
  if (!out.result.ok() || out.led) return out.result;
  PullOutcome shared = *out.result;
  shared.blobs_fetched = 0;
  return shared;
}

Result<PullOutcome> ImagePuller::EnsurePresent(const image::Reference& ref,
                                               const std::string& platform,
                                               const PullEventFn& events) {
  Result<ResolvedImage> stored = ResolveImage(store_.metadata(), ref.String());
  if (stored.ok()) {
    PullOutcome out;
    out.reference = ref;
    out.record = stored->record;
    return out;
  }
  if (!stored.status().IsNotFound()) return stored.status();
  return Pull(ref, platform, events);
}

Result<PullOutcome> ImagePuller::PullOnce(const image::Reference& ref, const std::string& platform,
                                          const PullEventFn& events) {
  Attempt attempt(*this, ref, platform.empty() ? registry::HostPlatform() : platform, events);
  Result<PullOutcome> out = attempt.Run();
  if (!out.ok()) LOG(INFO) << "pull " << ref.String() << " failed: " << out.status().message();
  return out;
}

void ImagePuller::Pin(const Digest& digest) {
  std::lock_guard lock(pins_mu_);
  ++pins_[digest];
}

void ImagePuller::Unpin(const Digest& digest) {
  std::lock_guard lock(pins_mu_);
  if (--pins_[digest] <= 0) pins_.erase(digest);
}

void ImagePuller::DeleteUnused(const std::vector<Digest>& added) {
  std::lock_guard lock(pins_mu_);
  for (const Digest& d : added) {
    Result<uint64_t> refs = store_.metadata().BlobRefCount(d);
    if (!refs.ok() || *refs > 0) continue;
    // The failing attempt still holds its own one pin (released right after,
    // in ~Attempt); a second is another pull's.
    auto pin = pins_.find(d);
    if (pin != pins_.end() && pin->second > 1) continue;
    store_.blobs().Delete(d).PermitUncheckedError();
  }
}

}  // namespace strata::coordinator
