#pragma once

// Choosing one manifest of a multi-platform index, as `docker pull
// --platform` does.

#include <string>
#include <string_view>

#include "common/result.h"
#include "image/descriptor.h"
#include "image/index.h"

namespace strata::registry {

// "os/arch[/variant]" ("linux/amd64", "linux/arm64/v8"). An arch alone is
// taken as linux/arch. InvalidArgument naming the text otherwise.
Result<image::Platform> ParsePlatform(std::string_view text);

// The machine's platform ("linux/amd64" on x86-64).
std::string HostPlatform();

// The first entry of `index` whose platform matches `want`: same os and
// architecture, and the same variant when `want` names one (arm64 without a
// variant matches v8, as containerd's matcher does). Entries without a
// platform, and attestation manifests (platform unknown/unknown), never match.
// NotFound with Docker's wording when none does:
//   "no matching manifest for linux/amd64 in the manifest list entries
//    (available: linux/arm64/v8, linux/s390x)"
Result<image::Descriptor> SelectPlatform(const image::Index& index, const image::Platform& want);

}  // namespace strata::registry
