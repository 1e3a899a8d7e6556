#pragma once

// The image operations of the coordinator (`strata image ...`), over the
// store. Protocol-free: rpc_handler.cc translates requests and replies.
// Thread-safe: the I/O thread lists, tags and removes while request threads
// import, load, save and commit (coordinator/image_file_service.h); the
// store serialises what changes references.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/store.h"
#include "common/clock.h"
#include "common/result.h"
#include "coordinator/layer_size.h"
#include "image/image_config.h"

namespace strata::coordinator {

struct ImageSummary {
  Digest id;
  std::vector<std::string> repo_tags;     // familiar: "busybox:latest"
  std::vector<std::string> repo_digests;  // "busybox@sha256:..."
  int64_t created = 0;                    // unix seconds
  uint64_t size = 0;                      // unpacked: the layers' uncompressed sizes
  bool dangling = false;                  // no tag
};

struct ImportRequest {
  std::string source_path;          // rootfs tarball: plain, gzip or zstd
  std::string origin;               // what to name in history ("-" for stdin)
  std::string repo_tag;             // optional "repo[:tag]"
  std::vector<std::string> changes; // --change Dockerfile instructions
  std::string message;              // --message
};

// `strata container commit`: the container's image plus one layer.
struct CommitRequest {
  std::string image;                  // the container's image id
  std::string layer_path;             // uncompressed tar of the container's changes
  std::vector<std::string> changes;   // --change Dockerfile instructions
  std::string message;                // --message: the history comment
  std::string author;                 // --author
  std::string repo_tag;               // optional "repo[:tag]"
  std::string created_by;             // history created_by (the container's command)
  std::string container_config_json;  // the container's Config object; empty keeps the image's
};

// An image as `strata container run` needs it.
struct ResolvedImageData {
  cache::ImageRecord record;
  std::string config_json;             // the stored config blob
  std::vector<std::string> repo_tags;  // familiar form
};

struct RemoveLine {
  bool deleted = false;  // false: "Untagged: <value>"; true: "Deleted: <value>"
  std::string value;
};

struct LoadOutcome {
  std::vector<std::string> loaded_refs;  // familiar "busybox:latest"
  std::vector<std::string> loaded_ids;   // untagged images
};

class ImageService {
 public:
  // REQUIRES: `store` outlives the service. `tmp_dir` is on the store's
  // file system (spooled uploads and archives).
  ImageService(cache::Store& store, Clock& clock, std::string tmp_dir);

  // Images with their tags, newest first. Filters: "reference=PATTERN"
  // (Go path.Match on the familiar name, or name:tag), "dangling=true|false",
  // "label=KEY[=VALUE]", "before=IMAGE", "since=IMAGE".
  Result<std::vector<ImageSummary>> List(const std::vector<std::string>& filters);
  // Docker's inspect object for `name`.
  Result<nlohmann::ordered_json> Inspect(const std::string& name);
  Status Tag(const std::string& source, const std::string& target);
  // Docker's rmi for one name: the lines to print, or why not (a conflict
  // without `force`, an unknown image).
  // `untag_only`: a name that is a tag loses that tag and nothing else.
  Result<std::vector<RemoveLine>> Remove(const std::string& name, bool force,
                                         bool untag_only = false);
  Result<Digest> Import(const ImportRequest& request);
  // One tar with both an OCI image layout and Docker's manifest.json.
  Status Save(const std::vector<std::string>& names, const std::string& output_path);
  Result<LoadOutcome> Load(const std::string& input_path);

  // The image `name` means (reference, id or id prefix) with its config
  // blob and layers; NotFound "No such image: NAME".
  Result<ResolvedImageData> Resolve(const std::string& name);
  // A new image: `image`'s layers plus the tar at layer_path (stored
  // gzip-compressed), its config = the image's with Config replaced by the
  // container's and --change applied, one history entry for the layer.
  // Returns the new image id.
  Result<Digest> Commit(const CommitRequest& request);

  // The stored config of an image.
  Result<image::ImageConfig> ReadConfig(const cache::ImageRecord& record);

 private:
  cache::Store& store_;
  Clock& clock_;
  std::string tmp_dir_;
  ImageSizer sizer_;
};

}  // namespace strata::coordinator
