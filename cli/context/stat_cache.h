#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"
#include "image/digest.h"

namespace strata::cli::context {

// The stat data that must all match for a remembered hash to be served.
// Any change (a write, `touch`, chmod, a copy to another inode) re-hashes.
struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  uint64_t device = 0;
  uint32_t mode = 0;  // st_mode: type and permission bits

  static FileStat FromStat(const struct stat& st);
  friend bool operator==(const FileStat&, const FileStat&) = default;
};

// Remembers, per context directory, path + FileStat -> SHA-256 so that an
// unchanged context is not read again. A hint only: it never changes what a
// scan reports, only whether a file is read.
//
// The file (format in docs/build-context.md) is versioned and ends with a
// SHA-256 of its bytes; a missing, truncated, corrupt or foreign-version
// file is treated as empty and rewritten on Save. Save writes a temp file
// and renames it over the old one, so readers see the old or the new cache,
// never a torn one; concurrent savers race benignly (last one wins).
//
// Racily clean files (git's term) are never remembered: a file whose mtime
// or ctime lies within kRacyWindowNs of the moment its read began could be
// rewritten in the same timestamp tick without changing its stat data.
//
// Thread-compatible: one thread at a time.
class StatCache {
 public:
  static constexpr uint32_t kVersion = 1;
  static constexpr int64_t kRacyWindowNs = 1'000'000'000;  // 1 s

  // <cache_root>/context-cache/<hex SHA-256 of absolute_context_dir>.
  static std::string PathFor(const std::string& cache_root,
                             const std::string& absolute_context_dir);

  // Loads `file`. Never fails: when the file is missing or cannot be
  // trusted the cache starts empty and load_note() says why.
  static StatCache Load(const std::string& file);

  // The remembered hash of `path` when `st` matches what was recorded.
  // A hit keeps the entry for the next Save.
  std::optional<Digest> Lookup(const std::string& path, const FileStat& st);

  // Remembers `content` for `path`/`st`, unless the file is racily clean
  // relative to `read_started_ns` (unix ns, taken before the read began).
  void Record(const std::string& path, const FileStat& st, const Digest& content,
              int64_t read_started_ns);

  // Writes the entries looked up with a hit or recorded since Load (files
  // that left the context are dropped). Creates missing directories.
  Status Save() const;

  const std::string& file() const { return file_; }
  // Empty when the file loaded cleanly or did not exist; else the reason it
  // was ignored ("checksum mismatch", "version 7 is not 1", ...).
  const std::string& load_note() const { return load_note_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    FileStat stat;
    Digest content;
    bool keep = false;  // hit or recorded since Load
  };

  explicit StatCache(std::string file) : file_(std::move(file)) {}
  Status Parse(std::string_view data);

  std::string file_;
  std::string load_note_;
  std::map<std::string, Entry> entries_;
};

}  // namespace strata::cli::context
