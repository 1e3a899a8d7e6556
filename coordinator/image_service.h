#pragma once

// The image operations of the coordinator (`strata image ...`), over the
// store. Protocol-free: rpc_handler.cc translates requests and replies.
// Thread-compatible: the coordinator calls it from its one request thread.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/store.h"
#include "common/clock.h"
#include "common/result.h"
#include "image/image_config.h"

namespace strata::coordinator {

struct ImageSummary {
  Digest id;
  std::vector<std::string> repo_tags;     // familiar: "busybox:latest"
  std::vector<std::string> repo_digests;  // "busybox@sha256:..."
  int64_t created = 0;                    // unix seconds
  uint64_t size = 0;
  bool dangling = false;                  // no tag
};

struct ImportRequest {
  std::string source_path;          // rootfs tarball: plain, gzip or zstd
  std::string origin;               // what to name in history ("-" for stdin)
  std::string repo_tag;             // optional "repo[:tag]"
  std::vector<std::string> changes; // --change Dockerfile instructions
  std::string message;              // --message
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
  Result<std::vector<RemoveLine>> Remove(const std::string& name, bool force);
  Result<Digest> Import(const ImportRequest& request);
  // One tar with both an OCI image layout and Docker's manifest.json.
  Status Save(const std::vector<std::string>& names, const std::string& output_path);
  Result<LoadOutcome> Load(const std::string& input_path);

  // The stored config of an image.
  Result<image::ImageConfig> ReadConfig(const cache::ImageRecord& record);

 private:
  cache::Store& store_;
  Clock& clock_;
  std::string tmp_dir_;
};

}  // namespace strata::coordinator
