#pragma once

#include <functional>
#include <set>
#include <string>
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

// Reads the one defect strata once wrote into layers: a RUN that deleted
// two or more lower files, on a kernel whose overlayfs makes whiteouts as
// links to one shared inode, stored the first as ".wh.<name>" and each
// other one as a hard link to the first deleted path. Such a link (its
// target deleted by a whiteout earlier in the same layer) can only mean a
// whiteout of its own path, so the layer readers apply it as one and a
// cached layer of that form does not fail every later build.
class LegacyWhiteoutLinks {
 public:
  // Notes a ".wh.<name>" entry of the layer (not ".wh..wh..opq").
  void NoteWhiteout(std::string_view whiteout_path);
  // True when `entry` is a hard link to a path that an earlier whiteout of
  // this layer deleted; the path then counts as deleted too.
  bool IsWhiteoutLink(const LayerEntry& entry);

 private:
  std::set<std::string, std::less<>> deleted_;
};

// True when the last component of `path` starts with ".wh.".
bool IsWhiteout(std::string_view path);

}  // namespace strata::image
