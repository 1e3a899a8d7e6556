#include "snapshot/layer_unpacker.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <vector>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "image/layer_entry.h"
#include "image/layer_extract.h"
#include "image/layer_reader.h"
#include "image/path_resolver.h"
#include "image/whiteout.h"

namespace strata::snapshot {
namespace {

// The host path of the directory `components` under `root` (resolved
// inside it, as ExtractLayer resolves parents).
Result<std::string> DirInRoot(const std::string& root, std::vector<std::string> components) {
  if (components.empty()) return root;
  components.push_back("x");
  ASSIGN_OR_RETURN(std::string host, image::ResolveInRoot(root, components));
  host.resize(host.size() - 2);
  return host;
}

// Re-reads the layer's headers and writes its whiteouts in overlayfs form.
Status WriteOverlayWhiteouts(image::ByteSource* layer, const std::string& root) {
  image::LayerReader reader(layer);
  image::LayerEntry entry;
  image::LegacyWhiteoutLinks legacy;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&entry));
    if (!more) return Status::OK();
    bool legacy_link = legacy.IsWhiteoutLink(entry);
    if (!legacy_link && !image::IsWhiteout(entry.path)) continue;
    if (!legacy_link) legacy.NoteWhiteout(entry.path);
    ASSIGN_OR_RETURN(std::vector<std::string> parts, image::SplitLayerPath(entry.path, "whiteout"));
    std::string base = parts.back();
    parts.pop_back();
    if (legacy_link) base = std::string(image::kWhiteoutPrefix) + base;  // a whiteout of its path
    ASSIGN_OR_RETURN(std::string dir, DirInRoot(root, parts));
    if (base == image::kOpaqueWhiteout) {
      if (::lsetxattr(dir.c_str(), std::string(image::kOverlayOpaqueXattr).c_str(), "y", 1, 0) !=
          0) {
        return ErrnoStatus("setxattr trusted.overlay.opaque", dir);
      }
      continue;
    }
    std::string target = dir + "/" + base.substr(image::kWhiteoutPrefix.size());
    struct stat st;
    if (::lstat(target.c_str(), &st) == 0) TRY(RemoveTree(target));
    if (::mknod(target.c_str(), S_IFCHR | 0600, makedev(0, 0)) != 0) {
      return ErrnoStatus("mknod (overlay whiteout)", target);
    }
  }
}

}  // namespace

ExtractingUnpacker ExtractingUnpacker::FromFile(std::string path, std::string expected_diff_id) {
  return ExtractingUnpacker(
      [path = std::move(path)]() -> Result<std::unique_ptr<image::ByteSource>> {
        ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> file, image::FileSource::Open(path));
        return std::unique_ptr<image::ByteSource>(std::move(file));
      },
      std::move(expected_diff_id));
}

Status ExtractingUnpacker::Unpack(const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<image::ByteSource> source, open_());
  Result<image::ExtractResult> extracted = image::ExtractLayer(source.get(), dir);
  // The snapshotter (the caller) says "unpacking layer <diff_id>".
  if (!extracted.ok()) return extracted.status();
  std::string got = extracted->diff_id.ToString();
  if (got != expected_diff_id_) {
    return Status::Corruption("layer blob for " + expected_diff_id_ + " has diff_id " + got +
                              ": the blob is damaged or stored under the wrong digest; "
                              "fetch it again");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<image::ByteSource> again, open_());
  Status whiteouts = WriteOverlayWhiteouts(again.get(), dir);
  if (!whiteouts.ok()) return whiteouts;
  entries_ = extracted->entries;
  return Status::OK();
}

}  // namespace strata::snapshot
