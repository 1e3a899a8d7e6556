#pragma once

// The last step of every way an image is made (a build's target stage,
// `image import`, `container commit`): a configuration and layers become a
// config blob, an OCI manifest blob and an ImageRecord stored under the
// requested tags.

#include <cstdint>
#include <string>
#include <vector>

#include "cache/records.h"
#include "cache/store.h"
#include "common/result.h"
#include "image/image_config.h"

namespace strata::coordinator {

struct ImageParts {
  // Everything but rootfs, which AssembleImage sets from `layers`.
  image::ImageConfig config;
  std::vector<cache::LayerRecord> layers;  // base first, present in the store
  int64_t created_unix_nanos = 0;
  std::string platform;  // "linux/amd64"
};

// Writes the config and manifest blobs and stores the image under `tags`
// (normalised references). A failure leaves no new blob behind. The same
// parts always give the same image id and manifest digest.
Result<cache::ImageRecord> AssembleImage(cache::Store& store, ImageParts parts,
                                         const std::vector<std::string>& tags);

}  // namespace strata::coordinator
