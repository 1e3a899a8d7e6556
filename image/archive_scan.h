#pragma once

// Internal to image/: the sequential pass of ReadImageArchive. Tar entries
// come in any order, so every file that may be a blob goes to the sink as
// it streams past (hashed on the way) and only small JSON documents are
// kept; the images are resolved afterwards from what was recorded.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "image/archive_reader.h"
#include "image/byte_source.h"
#include "image/digest.h"

namespace strata::image::archive_internal {

// Files larger than this are never kept in memory (configs, manifests and
// the archive's own JSON files are far smaller).
inline constexpr uint64_t kMaxJsonSize = 8 << 20;

struct ScannedFile {
  Digest digest;  // SHA-256 of the content
  uint64_t size = 0;
  std::string head;                 // the first bytes (compression sniffing)
  std::optional<std::string> json;  // the content, for small JSON-looking files
  bool in_sink = false;             // handed to the ArchiveSink
};

struct ScannedArchive {
  // Regular files by cleaned path ("blobs/sha256/<hex>", "manifest.json").
  std::map<std::string, ScannedFile> files;
  // Symlinks and hard links: cleaned path -> cleaned path of the target.
  std::map<std::string, std::string> links;

  // The file at `path`, following links; nullptr when absent.
  const ScannedFile* Find(const std::string& path) const;
};

// Normalises an archive path: "." and empty components dropped, ".."
// applied when `allow_dotdot` (link targets). InvalidArgument naming `what`
// when the path is absolute, has ".." where not allowed, or climbs above
// the archive root.
Result<std::string> CleanPath(const std::string& path, const std::string& what, bool allow_dotdot);

// Reads the whole tar (plain, gzip or zstd) from `in`. Files other than the
// archive's own metadata (manifest.json, index.json, oci-layout,
// repositories, <id>/json, <id>/VERSION) go to `sink`. Errors are those
// listed at ReadImageArchive for the tar itself and for digest mismatches.
Result<ScannedArchive> ScanArchive(ByteSource* in, ArchiveSink& sink);

}  // namespace strata::image::archive_internal
