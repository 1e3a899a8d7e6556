#pragma once

// Pulls an image from a registry into the store, as `docker pull` does:
// resolves the reference for one platform, fetches the config and the
// layers the store lacks (several at once), verifies each blob, and only
// when everything is present writes the image record and its tag. The
// manifest is stored with the exact bytes the registry sent, so the image's
// manifest digest is the registry's and a FROM cache key (the manifest
// digest) stays the same across machines.
//
// A failure leaves the store as it was: the blobs the pull added are
// deleted again unless another pull or an image uses them.
//
// Thread-safe. Concurrent pulls of one reference and platform run once (the
// others wait and share its outcome), and concurrent pulls needing one blob
// download it once.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cache/store.h"
#include "common/result.h"
#include "coordinator/keyed_once.h"
#include "image/reference.h"
#include "registry/registry_client.h"

namespace strata::coordinator {

// One line of Docker's pull progress: "<id>: <status>". For the layers id is
// the first 12 hex digits of the blob digest and status one of "Pulling fs
// layer", "Waiting", "Downloading" (with current/total bytes), "Verifying
// Checksum", "Download complete", "Pull complete", "Already exists". The
// first event is {tag, "Pulling from library/busybox"}.
struct PullEvent {
  std::string id;
  std::string status;
  uint64_t current = 0;
  uint64_t total = 0;
};
// Called from the pull's threads, one call at a time.
using PullEventFn = std::function<void(const PullEvent&)>;

struct PullOutcome {
  image::Reference reference;  // normalised, as asked for
  // What the reference names at the registry (the index's digest for a
  // multi-platform tag): Docker's "Digest:" line and the RepoDigest recorded.
  Digest digest;
  cache::ImageRecord record;  // as stored
  // False when the tag already named this image and nothing was
  // downloaded: "Image is up to date".
  bool newer = false;
  int blobs_fetched = 0;  // config and layers downloaded by this pull (0 for a waiter)
};

struct ImagePullerOptions {
  int parallel_downloads = 3;
  std::string tmp_dir;  // on the store's file system: downloads land here first
};

class ImagePuller {
 public:
  // REQUIRES: store and client outlive the puller; tmp_dir exists.
  ImagePuller(cache::Store& store, registry::RegistryClient& client, ImagePullerOptions options);

  // Pulls `ref` for `platform` ("linux/amd64"; empty: the machine's) and
  // tags it unless ref names a digest. Callers pulling the same reference
  // at once share one download, and each sees its progress from the moment
  // it joined. Errors say what failed and where:
  // the registry's (unreachable, unauthorized, manifest unknown, no matching
  // platform) as the client words them, a blob's digest mismatch as
  // Corruption.
  Result<PullOutcome> Pull(const image::Reference& ref, const std::string& platform,
                           const PullEventFn& events);

  // Pulls (or coalesces) only when the store has no image under `ref`;
  // otherwise returns the stored one without contacting the registry
  // (newer false, digest empty), as a build's FROM does without --pull.
  Result<PullOutcome> EnsurePresent(const image::Reference& ref, const std::string& platform,
                                    const PullEventFn& events);

  // Pulls in flight waited for by others (for tests).
  int waiting() const { return pulls_.waiting(); }

 private:
  class Attempt;
  friend class Attempt;

  Result<PullOutcome> PullOnce(const image::Reference& ref, const std::string& platform,
                               const PullEventFn& events);
  // Marks `digest` as in use by a running pull, so a failing pull does not
  // delete what another is about to record.
  void Pin(const Digest& digest);
  void Unpin(const Digest& digest);
  // Deletes the blobs a failed pull added that nothing uses.
  void DeleteUnused(const std::vector<Digest>& added);

  cache::Store& store_;
  registry::RegistryClient& client_;
  const ImagePullerOptions options_;
  KeyedOnce<PullOutcome> pulls_;
  // Everyone waiting on a pull key: the leader's events go to all of them.
  // Called with audience_mu_ held, so a caller that leaves is not called
  // after it went.
  std::mutex audience_mu_;
  std::map<std::string, std::vector<const PullEventFn*>> audience_;  // GUARDED_BY(audience_mu_)
  KeyedOnce<bool> blobs_;  // true: this caller's download added the blob
  std::mutex pins_mu_;
  std::map<Digest, int> pins_;  // GUARDED_BY(pins_mu_)
};

}  // namespace strata::coordinator
