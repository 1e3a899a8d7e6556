#pragma once

// Which blobs a caller may read by digest (docs/tenancy.md): an admin any;
// anyone else a blob an image uses, or the layer of a cache entry of its
// own namespace or a shared one. A blob it may not read is "not found",
// exactly as one the store lacks: a digest says nothing of other teams.

#include <string>

#include "cache/store.h"
#include "common/status.h"
#include "coordinator/caller.h"

namespace strata::coordinator {

// OK, or NotFound "blob DIGEST not found".
Status CheckBlobReadable(cache::Store& store, const Caller& caller, const std::string& digest);

}  // namespace strata::coordinator
