#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace strata::image {

enum class EntryType { kRegular, kDirectory, kSymlink, kHardlink, kCharDevice, kBlockDevice, kFifo };

// One file of a layer, as written to or read from its tar.
struct LayerEntry {
  // Relative to the layer root, '/'-separated, no leading "/" or "./", no
  // trailing "/" (also for directories).
  std::string path;
  EntryType type = EntryType::kRegular;
  uint32_t mode = 0644;  // permission bits with setuid/setgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;  // seconds since the epoch
  uint64_t size = 0;  // regular files only
  // Symlink target (as stored), or for kHardlink the path of the entry it
  // links to (relative to the layer root).
  std::string link_target;
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  std::map<std::string, std::string> xattrs;
  // Content of a regular file: `content` when set, else read from the host
  // file `source_path` (which must still be `size` bytes long).
  std::optional<std::string> content;
  std::string source_path;

  friend bool operator==(const LayerEntry&, const LayerEntry&) = default;
};

// Orders paths as a depth-first walk does: a directory, then everything
// under it, then its next sibling ("a", "a/b", "a-b"). Tars are written in
// this order so that the same tree always gives the same bytes.
bool PathLess(std::string_view a, std::string_view b);

}  // namespace strata::image
