#include "image/whiteout.h"

#include <algorithm>
#include <string>

namespace strata::image {

bool IsWhiteout(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base.substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix;
}

void LegacyWhiteoutLinks::NoteWhiteout(std::string_view whiteout_path) {
  size_t slash = whiteout_path.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : whiteout_path.substr(0, slash + 1);
  std::string_view base =
      slash == std::string_view::npos ? whiteout_path : whiteout_path.substr(slash + 1);
  if (base.substr(0, kWhiteoutPrefix.size()) != kWhiteoutPrefix || base == kOpaqueWhiteout) return;
  deleted_.insert(std::string(dir) + std::string(base.substr(kWhiteoutPrefix.size())));
}

bool LegacyWhiteoutLinks::IsWhiteoutLink(const LayerEntry& entry) {
  if (entry.type != EntryType::kHardlink || deleted_.find(entry.link_target) == deleted_.end()) {
    return false;
  }
  deleted_.insert(entry.path);
  return true;
}

std::vector<LayerEntry> ConvertOverlayWhiteouts(std::vector<LayerEntry> entries) {
  std::vector<LayerEntry> out;
  out.reserve(entries.size());
  for (LayerEntry& e : entries) {
    if (e.type == EntryType::kCharDevice && e.dev_major == 0 && e.dev_minor == 0) {
      size_t slash = e.path.rfind('/');
      std::string dir = slash == std::string::npos ? "" : e.path.substr(0, slash + 1);
      std::string base = slash == std::string::npos ? e.path : e.path.substr(slash + 1);
      LayerEntry w;
      w.path = dir + std::string(kWhiteoutPrefix) + base;
      w.type = EntryType::kRegular;
      w.mode = 0600;
      w.uid = e.uid;
      w.gid = e.gid;
      w.mtime = e.mtime;
      w.content = "";
      out.push_back(std::move(w));
      continue;
    }
    bool opaque = false;
    auto it = e.xattrs.find(std::string(kOverlayOpaqueXattr));
    if (it != e.xattrs.end()) opaque = e.type == EntryType::kDirectory && it->second == "y";
    // overlayfs bookkeeping (opaque, origin, redirect...) never goes into a layer.
    std::erase_if(e.xattrs, [](const auto& kv) { return kv.first.rfind("trusted.overlay.", 0) == 0; });
    {
      {
        LayerEntry marker;
        if (opaque) {
          marker.path = e.path + "/" + std::string(kOpaqueWhiteout);
          marker.type = EntryType::kRegular;
          marker.mode = e.mode & 0777;
          marker.uid = e.uid;
          marker.gid = e.gid;
          marker.mtime = e.mtime;
          marker.content = "";
        }
        out.push_back(std::move(e));
        if (opaque) out.push_back(std::move(marker));
        continue;
      }
    }
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LayerEntry& a, const LayerEntry& b) { return PathLess(a.path, b.path); });
  return out;
}

}  // namespace strata::image
