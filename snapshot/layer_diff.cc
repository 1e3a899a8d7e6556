#include "snapshot/layer_diff.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "common/errno_status.h"
#include "common/random_hex.h"
#include "image/byte_sink.h"
#include "image/fs_walk.h"
#include "image/layer.h"
#include "image/whiteout.h"

namespace strata::snapshot {
namespace {

bool IsOverlayXattr(const std::string& name) { return name.rfind("trusted.overlay.", 0) == 0; }

bool SameXattrs(const std::map<std::string, std::string>& upper, const std::string& lower_path) {
  image::LayerEntry lower;
  if (!image::StatEntry(lower_path, &lower).ok()) return false;
  std::erase_if(lower.xattrs, [](const auto& kv) { return IsOverlayXattr(kv.first); });
  std::map<std::string, std::string> up = upper;
  std::erase_if(up, [](const auto& kv) { return IsOverlayXattr(kv.first); });
  return up == lower.xattrs;
}

// Whether the upper directory `rel` is a copy-up of the topmost lower
// directory with that path, metadata unchanged.
bool IsUnchangedCopyUp(const image::LayerEntry& entry, const std::string& upper_dir,
                       const std::vector<std::string>& lower_dirs) {
  struct stat up;
  if (::lstat((upper_dir + "/" + entry.path).c_str(), &up) != 0) return false;
  for (const std::string& lower_dir : lower_dirs) {
    std::string lower_path = lower_dir + "/" + entry.path;
    struct stat low;
    if (::lstat(lower_path.c_str(), &low) != 0) continue;  // not in this layer
    return S_ISDIR(low.st_mode) && (low.st_mode & 07777) == (up.st_mode & 07777) &&
           low.st_uid == up.st_uid && low.st_gid == up.st_gid &&
           low.st_mtim.tv_sec == up.st_mtim.tv_sec && low.st_mtim.tv_nsec == up.st_mtim.tv_nsec &&
           SameXattrs(entry.xattrs, lower_path);
  }
  return false;  // new directory
}

}  // namespace

Result<std::vector<image::LayerEntry>> UpperDirChanges(const std::string& upper_dir,
                                                       const std::vector<std::string>& lower_dirs) {
  ASSIGN_OR_RETURN(std::vector<image::LayerEntry> walked, image::WalkDirectory(upper_dir));
  std::vector<image::LayerEntry> entries = image::ConvertOverlayWhiteouts(std::move(walked));

  // Entries are in depth-first order, so a directory's subtree follows it
  // contiguously: it has a kept descendant exactly when the nearest kept
  // entry after it lies below it.
  std::vector<bool> keep(entries.size(), true);
  const std::string* next_kept = nullptr;
  for (size_t i = entries.size(); i-- > 0;) {
    const image::LayerEntry& e = entries[i];
    if (e.type == image::EntryType::kDirectory) {
      std::string prefix = e.path + "/";
      bool has_kept_child = next_kept != nullptr && next_kept->rfind(prefix, 0) == 0;
      if (!has_kept_child && IsUnchangedCopyUp(e, upper_dir, lower_dirs)) keep[i] = false;
    }
    if (keep[i]) next_kept = &e.path;
  }
  std::vector<image::LayerEntry> out;
  out.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (keep[i]) out.push_back(std::move(entries[i]));
  }
  return out;
}

Result<LayerBlob> WriteLayerBlob(std::vector<image::LayerEntry> entries, const std::string& dir,
                                 image::Compression compression,
                                 std::optional<int64_t> source_date_epoch) {
  LayerBlob blob;
  blob.empty = entries.empty();
  image::LayerSource source = image::LayerSource::FromEntries(std::move(entries));
  source.source_date_epoch = source_date_epoch;

  std::string tmp = dir + "/.layer-" + RandomHex(16);
  ASSIGN_OR_RETURN(std::unique_ptr<image::FileSink> sink, image::FileSink::Create(tmp));
  Result<image::LayerResult> written = image::WriteLayer(source, compression, sink.get());
  if (!written.ok()) {
    sink.reset();
    ::unlink(tmp.c_str());
    return written.status();
  }
  const char* ext = compression == image::Compression::kGzip   ? ".tar.gz"
                    : compression == image::Compression::kZstd ? ".tar.zst"
                                                               : ".tar";
  blob.path = dir + "/" + written->blob_digest.hex() + ext;
  if (std::rename(tmp.c_str(), blob.path.c_str()) != 0) {
    Status s = ErrnoStatus("rename", tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  blob.diff_id = written->diff_id;
  blob.blob_digest = written->blob_digest;
  blob.blob_size = written->blob_size;
  blob.uncompressed_size = written->uncompressed_size;
  blob.media_type = std::string(image::LayerMediaType(compression));
  return blob;
}

}  // namespace strata::snapshot
