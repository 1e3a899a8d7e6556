#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "image/layer_entry.h"

namespace strata::image {

// Lists everything under `root` (not `root` itself) as layer entries, in
// PathLess order: type, mode, numeric owner, mtime, size, symlink target,
// device numbers and extended attributes from lstat/llistxattr. Regular
// files point at their host file through source_path. Files sharing an
// inode become one kRegular entry (the first path) and kHardlink entries,
// except character devices 0/0: overlayfs whiteouts, which the kernel may
// make as links to one shared inode, each stay a device of their own.
// Sockets are skipped, as Docker does.
Result<std::vector<LayerEntry>> WalkDirectory(const std::string& root);

// Fills type, mode, owner, mtime, size, link and device fields of `entry`
// from lstat of `host_path`, plus its xattrs.
Status StatEntry(const std::string& host_path, LayerEntry* entry);

}  // namespace strata::image
