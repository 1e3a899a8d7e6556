#include "coordinator/image_pusher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "common/logging.h"
#include "common/thread_top.h"
#include "image/manifest.h"
#include "image/reference.h"

namespace strata::coordinator {
namespace {

// One blob of one tag's push. Layers are shown; the config is not (as Docker).
struct BlobTask {
  image::Descriptor descriptor;
  std::string id;  // display id; empty for the config
};

// Whether the user named a tag (Docker refuses one with --all-tags).
bool NamesTag(const std::string& name) {
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  return colon != std::string::npos && (slash == std::string::npos || colon > slash);
}

// A copy of a blob for a store that keeps no files, removed when done.
class SpooledBlob {
 public:
  ~SpooledBlob() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  // The file to upload `digest` from: the store's own file, or a copy.
  Result<std::string> PathOf(cache::BlobStore& blobs, const Digest& digest,
                             const std::string& tmp_dir) {
    if (std::optional<std::string> file = blobs.FilePath(digest)) return *file;
    if (tmp_dir.empty()) {
      return Status::Internal("blob " + digest.ToString() +
                              ": the store keeps no files and the pusher has no tmp dir");
    }
    std::string path = tmp_dir + "/push-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) return Status::IOError("cannot create a spool file in " + tmp_dir);
    path_ = path;
    ASSIGN_OR_RETURN(std::unique_ptr<cache::BlobReader> reader, blobs.Open(digest));
    char buf[1 << 16];
    for (;;) {
      Result<size_t> n = reader->Read(buf, sizeof(buf));
      if (!n.ok() || *n == 0) {
        ::close(fd);
        if (!n.ok()) return n.status();
        return path_;
      }
      if (::write(fd, buf, *n) != static_cast<ssize_t>(*n)) {
        ::close(fd);
        return Status::IOError("cannot write " + path_ + ": disk full?");
      }
    }
  }

 private:
  std::string path_;
};

}  // namespace

std::string ShortLayerId(const Digest& diff_id) { return diff_id.hex().substr(0, 12); }

void MemoryPushRecorder::OnPushed(const Digest& image_id, const std::string& name, const Digest&) {
  Result<image::Reference> ref = image::ParseReference(name);
  if (!ref.ok()) return;
  std::lock_guard lock(mu_);
  repositories_[image_id].insert(ref->Name());
}

std::vector<std::string> MemoryPushRecorder::KnownRepositories(const Digest& image_id,
                                                               const std::string& domain) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  auto it = repositories_.find(image_id);
  if (it == repositories_.end()) return out;
  for (const std::string& name : it->second) {
    if (name.rfind(domain + "/", 0) == 0) out.push_back(name);
  }
  return out;
}

// One Push call: the observer's lock and the upload pool of one tag at a time.
class ImagePusher::Session {
 public:
  Session(ImagePusher& pusher, registry::RegistryClient& client, PushObserver& observer)
      : pusher_(pusher), client_(client), observer_(observer) {}

  Result<PushedTag> PushTag(const image::Reference& ref, const cache::ImageRecord& record) {
    cache::BlobStore& blobs = pusher_.store_.blobs();
    if (record.manifest_digest.empty()) {
      return Status::NotFound("image " + record.id.ToString() +
                              " has no stored manifest; rebuild or re-import it before pushing");
    }
    Result<std::string> bytes = blobs.ReadAll(record.manifest_digest);
    if (!bytes.ok()) {
      return bytes.status().Annotate("reading the manifest of " + ref.FamiliarString() +
                                     " from the store");
    }
    if (Digest::Sha256Of(*bytes) != record.manifest_digest) {
      return Status::Corruption("the stored manifest " + record.manifest_digest.ToString() +
                                " does not match its digest; the store is damaged");
    }
    ASSIGN_OR_RETURN(image::Manifest manifest, image::Manifest::FromJson(*bytes));

    std::vector<BlobTask> tasks;
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
      const image::Descriptor& layer = manifest.layers[i];
      // The diff id names a layer in Docker's push lines; the record has it.
      const Digest& shown = i < record.layers.size() && !record.layers[i].diff_id.empty() &&
                                    record.layers[i].digest == layer.digest
                                ? record.layers[i].diff_id
                                : layer.digest;
      tasks.push_back({layer, ShortLayerId(shown)});
    }
    tasks.push_back({manifest.config, ""});
    for (const BlobTask& task : tasks) {
      ASSIGN_OR_RETURN(bool present, blobs.Has(task.descriptor.digest));
      if (!present) {
        return Status::NotFound("blob " + task.descriptor.digest.ToString() + " of " +
                                ref.FamiliarString() +
                                " is missing from the store; rebuild the image");
      }
    }

    std::string mount_from;
    if (pusher_.recorder_ != nullptr) {
      for (const std::string& repo :
           pusher_.recorder_->KnownRepositories(record.id, ref.domain())) {
        if (repo != ref.Name()) {
          mount_from = repo;
          break;
        }
      }
    }

    // Top layer first, as Docker lists them.
    for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) {
      if (!it->id.empty()) Emit({it->id, "Preparing"});
    }
    const size_t workers =
        std::min(tasks.size(), static_cast<size_t>(std::max(1, pusher_.options_.parallel_uploads)));
    for (size_t i = workers; i < tasks.size(); ++i) {
      if (!tasks[i].id.empty()) Emit({tasks[i].id, "Waiting"});
    }
    TRY(RunUploads(ref, tasks, workers, mount_from));

    std::string media_type =
        !manifest.media_type.empty() ? manifest.media_type : record.manifest_media_type;
    ASSIGN_OR_RETURN(Digest reported, client_.PushManifest(ref, media_type, *bytes));
    if (reported != record.manifest_digest) {
      return Status::Corruption("registry " + ref.domain() + " reported digest " +
                                reported.ToString() + " for the manifest " +
                                record.manifest_digest.ToString() + " of " + ref.FamiliarString());
    }
    PushedTag tag{ref.tag(), reported, bytes->size()};
    if (pusher_.recorder_ != nullptr)
      pusher_.recorder_->OnPushed(record.id, ref.String(), reported);
    {
      std::lock_guard lock(mu_);
      observer_.OnTagPushed(tag);
    }
    return tag;
  }

 private:
  void Emit(const PushLayerEvent& event) {
    std::lock_guard lock(mu_);
    observer_.OnLayer(event);
  }

  // Sends every task's blob with `workers` threads; the first failure stops
  // the tasks not yet started and is returned once the running ones end.
  Status RunUploads(const image::Reference& ref, const std::vector<BlobTask>& tasks, size_t workers,
                    const std::string& mount_from) {
    std::atomic<size_t> next{0};
    std::mutex failure_mu;
    Status failure;
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (;;) {
        if (failed) return;
        size_t i = next++;
        if (i >= tasks.size()) return;
        Status s = CatchAtThreadTopOr<Status>("push of " + tasks[i].descriptor.digest.ToString(),
                                              [&] { return Upload(ref, tasks[i], mount_from); });
        if (!s.ok()) {
          std::lock_guard lock(failure_mu);
          if (failure.ok()) failure = s;
          failed = true;
        }
      }
    };
    std::vector<std::thread> threads;
    for (size_t i = 1; i < workers; ++i) {
      threads.emplace_back([&] {
        Status crashed = CatchAtThreadTop("push upload thread", work);
        if (!crashed.ok()) {
          std::lock_guard lock(failure_mu);
          if (failure.ok()) failure = crashed;
          failed = true;
        }
      });
    }
    work();  // this thread is one of the workers
    for (std::thread& t : threads) t.join();
    return failure;
  }

  Status Upload(const image::Reference& ref, const BlobTask& task, const std::string& mount_from) {
    const image::Descriptor& blob = task.descriptor;
    ASSIGN_OR_RETURN(bool has, client_.HasBlob(ref, blob.digest));
    if (has) {
      if (!task.id.empty()) Emit({task.id, "Layer already exists"});
      return Status::OK();
    }
    SpooledBlob spool;
    ASSIGN_OR_RETURN(std::string path,
                     spool.PathOf(pusher_.store_.blobs(), blob.digest, pusher_.options_.tmp_dir));
    uint64_t last = 0;
    registry::ProgressFn progress;
    if (!task.id.empty()) {
      progress = [&](const registry::BlobProgress& p) {
        // About 20 lines per blob at most, and the last one.
        uint64_t step = std::max<uint64_t>(p.total / 20, 1);
        if (p.done < p.total && p.done - last < step) return;
        last = p.done;
        Emit({task.id, "Pushing", p.done, p.total});
      };
    }
    ASSIGN_OR_RETURN(bool sent, client_.PushBlob(ref, blob, path, mount_from, progress));
    if (!task.id.empty()) {
      if (sent) {
        Emit({task.id, "Pushed"});
      } else if (!mount_from.empty()) {
        Result<image::Reference> from = image::ParseReference(mount_from);
        Emit({task.id, "Mounted from " + (from.ok() ? from->path() : mount_from)});
      } else {
        Emit({task.id, "Layer already exists"});
      }
    }
    return Status::OK();
  }

  ImagePusher& pusher_;
  registry::RegistryClient& client_;
  PushObserver& observer_;
  std::mutex mu_;  // one observer call at a time
};

ImagePusher::ImagePusher(cache::Store& store, PushRecorder* recorder, ImagePusherOptions options)
    : store_(store), recorder_(recorder), options_(std::move(options)) {}

Result<PushOutcome> ImagePusher::Push(registry::RegistryClient& client, const PushRequest& request,
                                      PushObserver& observer) {
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseReference(request.name));
  if (!ref.digest().empty()) {
    return Status::InvalidArgument("cannot push a digest reference (" + request.name +
                                   "); push a tag, e.g. " + ref.FamiliarName() + ":latest");
  }
  if (request.all_tags && NamesTag(request.name)) {
    return Status::InvalidArgument("tag can't be used with --all-tags/-a");
  }
  const Status missing =
      Status::NotFound("An image does not exist locally with the tag: " + ref.FamiliarName());

  // The tags to push, each with its image.
  std::vector<std::pair<image::Reference, Digest>> targets;
  if (request.all_tags) {
    ASSIGN_OR_RETURN(auto tags, store_.metadata().ListTags());
    for (const auto& [name, id] : tags) {
      Result<image::Reference> tagged = image::ParseReference(name);
      if (tagged.ok() && tagged->Name() == ref.Name()) targets.emplace_back(*tagged, id);
    }
  } else {
    ASSIGN_OR_RETURN(std::optional<Digest> id, store_.metadata().ResolveTag(ref.String()));
    if (id) targets.emplace_back(ref, *id);
  }
  if (targets.empty()) return missing;

  Session session(*this, client, observer);
  PushOutcome outcome;
  outcome.repository = ref.Name();
  for (const auto& [tagged, id] : targets) {
    ASSIGN_OR_RETURN(std::optional<cache::ImageRecord> record, store_.metadata().GetImage(id));
    if (!record) return missing;
    Result<PushedTag> pushed = session.PushTag(tagged, *record);
    if (!pushed.ok()) {
      LOG(INFO) << "push of " << tagged.String() << " failed: " << pushed.status().message();
      return pushed.status();
    }
    LOG(INFO) << "pushed " << tagged.String() << " as " << pushed->digest.ToString();
    outcome.tags.push_back(*pushed);
  }
  return outcome;
}

}  // namespace strata::coordinator
