#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/records.h"
#include "image/image_config.h"

namespace strata::coordinator {

// The object `docker image inspect` prints for one image, with Docker's
// field names and order (Id, RepoTags, RepoDigests, Parent, Comment,
// Created, DockerVersion, Author, Config{...}, Architecture, Variant, Os,
// Size, GraphDriver, RootFS{Type, Layers}, Metadata). `tags` are normalised
// references; they print in familiar form. `size` is the unpacked size
// (ImageSizer).
nlohmann::ordered_json InspectJson(const cache::ImageRecord& record,
                                   const image::ImageConfig& config,
                                   const std::vector<std::string>& tags, uint64_t size);

// Docker's container-config object (Hostname ... Shell) for `config`;
// also what `container inspect` shows as Config.
nlohmann::ordered_json ContainerConfigJson(const image::ContainerConfig& config);

}  // namespace strata::coordinator
