#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/digest.h"

namespace strata::cache {

// File types as they enter a digest; the letters are part of the format.
enum class InputType : char {
  kRegular = 'f',
  kDirectory = 'd',
  kSymlink = 'l',
  kOther = 'o',  // fifo, socket, device: type and mode only
};

// One source file of a COPY/ADD as far as the cache key is concerned. Never
// mtime, atime, inode or owner: a fresh checkout must produce the same digest.
struct InputEntry {
  std::string path;  // relative to the context root, '/'-separated, no "./"
  InputType type = InputType::kRegular;
  uint32_t mode = 0;        // permission bits (07777)
  uint64_t size = 0;        // regular files only; 0 otherwise
  Digest content;           // regular files only: SHA-256 of the bytes
  std::string link_target;  // symlinks only
  std::map<std::string, std::string> xattrs = {};  // extended attributes, name -> value
  std::string hardlink_group = {};  // regular files with several names: the first one's path

  friend bool operator==(const InputEntry&, const InputEntry&) = default;
};

// The digest of a set of source files, independent of their order:
// sha256("strata-inputs-v1" 0 (path 0 type 0 mode 0 size 0 content-or-target 0 extras)*)
// over the entries sorted by path (duplicates once); an entry with xattrs or
// a hardlink group has "+" after its type letter and extras = count 0
// (name 0 length 0 value)* group 0, others none. See docs/store-format.md.
Digest ContextInputsDigest(std::vector<InputEntry> entries);
// The same preimage, one line per entry, for --cache-debug.
std::string ContextInputsPreimage(std::vector<InputEntry> entries);

// Describes `paths` (relative to `root`, directories taken recursively) from
// the file system: lstat and content hashing. InvalidArgument for a path that
// leaves `root`; NotFound for one that does not exist.
Result<std::vector<InputEntry>> ScanContextInputs(const std::string& root,
                                                  const std::vector<std::string>& paths);

}  // namespace strata::cache
