#pragma once

// Syntax check of image references (`[domain/]path[:tag][@digest]`) by the
// grammar of distribution/reference, without network access or
// normalisation. Used by the planner for FROM and for `--from=NAME` that
// names no stage.

#include <string_view>

#include "common/status.h"

namespace strata::dockerfile {

// OK when `ref` is a well-formed image reference; otherwise InvalidArgument
// saying which part is wrong (e.g. "repository name must be lowercase").
Status ValidateImageReference(std::string_view ref);

}  // namespace strata::dockerfile
