#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/compression.h"
#include "image/digest.h"
#include "image/layer_entry.h"

namespace strata::snapshot {

// The changes an overlay mount's upper directory holds, as OCI layer
// entries in PathLess order: overlayfs whiteouts (char 0/0) become
// ".wh.<name>" files, opaque directories gain ".wh..wh..opq", and
// trusted.overlay.* bookkeeping is dropped (image::ConvertOverlayWhiteouts).
//
// Minimal, as BuildKit's overlay differ: overlayfs copies a directory up
// (with unchanged metadata) whenever something below it changes, and the
// runtime's mount point stubs leave such copies too. A directory of the
// upper dir is left out when the topmost lower directory that has the
// path holds a directory with the same mode, owner, mtime (to the
// nanosecond) and xattrs, and nothing under it is kept. So a step that
// changes nothing gives an empty list, and two runs that change the same
// files give the same layer. Parents of kept entries stay, as Docker and
// containerd write them.
//
// `lower_dirs` are the mount's lower directories, top-first
// (Mount::lower_dirs).
Result<std::vector<image::LayerEntry>> UpperDirChanges(const std::string& upper_dir,
                                                       const std::vector<std::string>& lower_dirs);

// A layer blob written to a file.
struct LayerBlob {
  std::string path;  // "<dir>/<blob hex><.tar.gz|.tar.zst|.tar>"
  Digest diff_id;
  Digest blob_digest;
  uint64_t blob_size = 0;
  uint64_t uncompressed_size = 0;  // bytes of the tar before compression
  std::string media_type;          // image::LayerMediaType(compression)
  bool empty = false;              // no entries: the step changed nothing
};

// Writes `entries` as a reproducible layer (image::WriteLayer) compressed
// as asked into a new file under the existing directory `dir`, named after
// the blob digest (an identical blob already there is replaced by the same
// bytes). mtimes are clamped to `source_date_epoch` when set.
Result<LayerBlob> WriteLayerBlob(std::vector<image::LayerEntry> entries, const std::string& dir,
                                 image::Compression compression,
                                 std::optional<int64_t> source_date_epoch);

}  // namespace strata::snapshot
