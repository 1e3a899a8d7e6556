#pragma once

#include <string_view>
#include <vector>

#include "image/layer_entry.h"

namespace strata::image {

// OCI whiteout names (image-spec layer.md): ".wh.<name>" deletes <name> from
// the layers below; ".wh..wh..opq" in a directory hides everything below it.
inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";
// Set to "y" on an overlayfs upper directory that is opaque.
inline constexpr std::string_view kOverlayOpaqueXattr = "trusted.overlay.opaque";

// Rewrites entries walked from an overlayfs upper directory into OCI form:
// a character device 0/0 at "d/name" becomes an empty regular file
// "d/.wh.name" (mode 0600, as Docker writes it), and a directory carrying
// trusted.overlay.opaque=y loses that xattr and gains a "dir/.wh..wh..opq"
// entry. The result stays in PathLess order.
std::vector<LayerEntry> ConvertOverlayWhiteouts(std::vector<LayerEntry> entries);

// True when the last component of `path` starts with ".wh.".
bool IsWhiteout(std::string_view path);

}  // namespace strata::image
