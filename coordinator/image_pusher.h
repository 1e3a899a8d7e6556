#pragma once

// `strata image push`: an image of the store goes to a registry as Docker
// pushes it. For each tag: every layer blob and the config are uploaded
// unless the repository has them (HEAD first; a cross-repository mount when
// the image is known in another repository of the same registry), a few at
// a time, then the manifest is PUT with the exact stored bytes, so the
// registry's digest is the image's manifest digest. Protocol-free:
// push_service.cc streams the observer's lines to the client.
//
// Thread-safe: any number of pushes may run at once on one pusher.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cache/store.h"
#include "common/result.h"
#include "image/digest.h"
#include "registry/registry_client.h"

namespace strata::coordinator {

// One progress line of one layer, as Docker prints it: "<id>: <status>".
struct PushLayerEvent {
  std::string id;        // 12 hex characters of the layer's diff id
  std::string status;    // Preparing, Waiting, Pushing, Pushed, Layer already exists,
                         // Mounted from REPO
  uint64_t current = 0;  // Pushing: bytes sent
  uint64_t total = 0;    // Pushing: bytes of the blob
};

struct PushedTag {
  std::string tag;  // "latest"
  Digest digest;    // the manifest's
  uint64_t size = 0;
};

// Receives a push's lines. The pusher calls it from its upload threads but
// never two calls at once.
class PushObserver {
 public:
  virtual ~PushObserver() = default;
  virtual void OnLayer(const PushLayerEvent& event) = 0;
  virtual void OnTagPushed(const PushedTag& tag) = 0;
};

// Where the pusher learns and records which repositories hold an image: the
// hook for RepoDigests. After each manifest PUT it calls OnPushed; before
// the uploads it asks KnownRepositories for mount sources. Thread-safe.
class PushRecorder {
 public:
  virtual ~PushRecorder() = default;
  // `name` is the normalised reference pushed ("127.0.0.1:5000/app:latest"),
  // `digest` the manifest digest the registry now serves for it.
  virtual void OnPushed(const Digest& image_id, const std::string& name, const Digest& digest) = 0;
  // Repositories ("127.0.0.1:5000/base", Reference::Name() form) of registry
  // `domain` known to hold image `image_id`.
  virtual std::vector<std::string> KnownRepositories(const Digest& image_id,
                                                     const std::string& domain) = 0;
};

// A PushRecorder that remembers the pushes of this process only (until the
// image records carry RepoDigests, which outlive the coordinator).
class MemoryPushRecorder : public PushRecorder {
 public:
  void OnPushed(const Digest& image_id, const std::string& name, const Digest& digest) override;
  std::vector<std::string> KnownRepositories(const Digest& image_id,
                                             const std::string& domain) override;

 private:
  std::mutex mu_;
  std::map<Digest, std::set<std::string>> repositories_;  // image id -> Reference::Name()
};

struct PushRequest {
  std::string name;  // as the user typed it: "127.0.0.1:5000/app", "…/app:v1"
  bool all_tags = false;
};

struct PushOutcome {
  std::string repository;  // "127.0.0.1:5000/app"
  std::vector<PushedTag> tags;
};

struct ImagePusherOptions {
  int parallel_uploads = 3;  // blobs sent at once, per push
  std::string tmp_dir;       // for stores that keep no blob files (copied there first)
};

class ImagePusher {
 public:
  // REQUIRES: `store` and `recorder` (may be null) outlive the pusher.
  ImagePusher(cache::Store& store, PushRecorder* recorder, ImagePusherOptions options);

  // Pushes the image(s) `request` names through `client`. An unknown name is
  // NotFound "An image does not exist locally with the tag: NAME". A failure
  // after some tags were pushed still fails the whole push (the outcome's
  // earlier tags were reported through the observer).
  Result<PushOutcome> Push(registry::RegistryClient& client, const PushRequest& request,
                           PushObserver& observer);

 private:
  class Session;

  cache::Store& store_;
  PushRecorder* recorder_;
  const ImagePusherOptions options_;
};

// The 12-character id Docker shows for a layer in push progress.
std::string ShortLayerId(const Digest& diff_id);

}  // namespace strata::coordinator
