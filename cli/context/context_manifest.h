#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "image/digest.h"

namespace strata::cli::context {

// File types as they enter the manifest. The letters match
// cache::InputType, so an entry converts field by field into the cache's
// InputEntry (see cache/context_inputs.h); stored values never change.
enum class EntryType : char {
  kRegular = 'f',
  kDirectory = 'd',
  kSymlink = 'l',
};

// One path of a build context as the client sends it to the coordinator
// (DESIGN.md "Wire protocol"). Deliberately without mtime, atime, inode or
// owner: a fresh checkout of the same tree yields the same entries.
struct ContextEntry {
  std::string path;  // relative to the context root, '/'-separated, no "./"
  EntryType type = EntryType::kRegular;
  uint32_t mode = 0;        // permission bits with setuid/setgid/sticky (07777)
  uint64_t size = 0;        // regular files only; 0 otherwise
  Digest content;           // regular files only: SHA-256 of the bytes
  std::string link_target;  // symlinks only, as stored (never followed)
  // Extended attributes as read with lgetxattr (name -> raw value).
  std::map<std::string, std::string> xattrs = {};
  // Regular files with several names in the context (hard links): the
  // first path of that inode in manifest order, on every one of its names
  // (the first included). Empty for a file with one name.
  std::string hardlink_group = {};

  friend bool operator==(const ContextEntry&, const ContextEntry&) = default;
};

// What a scan did, for the benchmark and `--progress=plain`. Not part of
// the manifest's identity.
struct ScanStats {
  uint64_t files = 0;             // regular files in the manifest
  uint64_t files_hashed = 0;      // read and hashed in this scan
  uint64_t files_from_cache = 0;  // served by the stat cache, not read
  uint64_t bytes_hashed = 0;      // bytes read for hashing
  uint64_t bytes_total = 0;       // sum of the regular files' sizes
  uint64_t excluded = 0;          // paths left out by .dockerignore (a skipped
                                  // directory counts once)
};

// A scanned build context.
struct ContextManifest {
  // Sorted by path (byte-wise, as std::string compares), each path once.
  // The context root itself is not an entry.
  std::vector<ContextEntry> entries;
  // Where the content of each regular entry can be read for upload:
  // `content_root + "/" + path` (the context directory, or the spool
  // directory of a tar context).
  std::string content_root;
  // Paths skipped because their type cannot be sent (socket, fifo, device),
  // one human-readable line each, e.g. "run/app.sock: socket skipped".
  std::vector<std::string> warnings;
  ScanStats stats;
};

// Whether an extended attribute describes the file (and travels with it
// into the image) rather than the host: SELinux labels and overlayfs's own
// attributes stay behind.
bool XattrTravelsWithTheFile(const std::string& name);

// Gives every name of a file with several names among `entries` (sorted by
// path) the first one's path as its hardlink_group. `inodes` maps the path
// of each regular file whose link count is above one to an identity of its
// inode ("dev:ino"); a file whose other names are not among the entries
// keeps an empty group.
void AssignHardlinkGroups(const std::map<std::string, std::string>& inodes,
                          std::vector<ContextEntry>* entries);

// sha256("strata-context-v1" 0 (path 0 type 0 mode 0 size 0 content-or-target 0 extras)*)
// over `entries` in their (sorted) order; mode as 4 octal digits, size in
// decimal. An entry with xattrs or a hardlink group has "+" after its type
// letter and extras = count 0 (name 0 length 0 value)* group 0; otherwise
// extras is empty (so older digests stay valid). Two scans describe the
// same context exactly when these agree.
Digest ManifestDigest(const std::vector<ContextEntry>& entries);

// The preimage of ManifestDigest, one line per entry, for debugging a miss.
std::string ManifestPreimage(const std::vector<ContextEntry>& entries);

}  // namespace strata::cli::context
