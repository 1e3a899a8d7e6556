#include "cli/container/snapshot_tar.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "cli/container/rootfs.h"
#include "common/file_util.h"
#include "image/fs_walk.h"
#include "snapshot/layer_diff.h"

namespace strata::cli::container {
namespace {

// An empty mount point stub a running container has in its upper dir.
bool IsRunStub(const image::LayerEntry& e, const std::vector<image::LayerEntry>& all) {
  static const std::set<std::string> kDirs = {"proc", "sys", "dev"};
  static const std::set<std::string> kFiles = {"etc/hosts", "etc/resolv.conf"};
  if (e.type == image::EntryType::kRegular && e.size == 0 && kFiles.count(e.path)) return true;
  if (e.type != image::EntryType::kDirectory || !kDirs.count(e.path)) return false;
  return std::none_of(all.begin(), all.end(), [&](const image::LayerEntry& other) {
    return other.path.size() > e.path.size() &&
           other.path.compare(0, e.path.size() + 1, e.path + "/") == 0;
  });
}

}  // namespace

Result<std::string> WriteChangesTar(ContainerStore& store, const ContainerRecord& record,
                                    const std::string& tmp_dir) {
  std::string upper = store.Dir(record.id) + "/upper";
  struct stat st;
  if (stat(upper.c_str(), &st) != 0) TRY(MakeDirs(upper, 0755));  // never ran: no changes
  ASSIGN_OR_RETURN(std::vector<image::LayerEntry> entries,
                   snapshot::UpperDirChanges(upper, LowerDirs(store.SnapshotRoot(), record.chain)));
  std::vector<image::LayerEntry> kept;
  std::set<std::string> stub_parents;
  for (const auto& e : entries) {
    if (IsRunStub(e, entries)) {
      stub_parents.insert(
          e.path.substr(0, e.path.rfind('/') == std::string::npos ? 0 : e.path.rfind('/')));
    } else {
      kept.push_back(e);
    }
  }
  // A directory that is in the upper dir only because a stub was created in
  // it (its mtime changed), and holds nothing else, is no change either.
  std::vector<image::LayerEntry> changes;
  for (const auto& e : kept) {
    bool only_stub_parent =
        e.type == image::EntryType::kDirectory && stub_parents.count(e.path) &&
        std::none_of(kept.begin(), kept.end(), [&](const image::LayerEntry& other) {
          return other.path.compare(0, e.path.size() + 1, e.path + "/") == 0;
        });
    if (!only_stub_parent) changes.push_back(e);
  }
  kept = std::move(changes);
  if (kept.empty()) return std::string();
  TRY(MakeDirs(tmp_dir, 0700));
  ASSIGN_OR_RETURN(
      snapshot::LayerBlob blob,
      snapshot::WriteLayerBlob(std::move(kept), tmp_dir, image::Compression::kNone, std::nullopt));
  return blob.path;
}

Result<std::string> WriteRootfsTar(ContainerStore& store, const ContainerRecord& record,
                                   const std::string& tmp_dir) {
  std::string dir = store.Dir(record.id);
  RootfsPaths paths{dir + "/upper", dir + "/work", dir + "/merged"};
  bool mounted_here = false;
  if (!IsMountPoint(paths.merged)) {
    TRY(MountRootfs(store.SnapshotRoot(), record.chain, paths));
    mounted_here = true;
  }
  Result<std::vector<image::LayerEntry>> entries = image::WalkDirectory(paths.merged);
  Result<snapshot::LayerBlob> blob = Status::Internal("not written");
  if (entries.ok()) {
    Status made = MakeDirs(tmp_dir, 0700);
    blob = made.ok() ? snapshot::WriteLayerBlob(std::move(*entries), tmp_dir,
                                                image::Compression::kNone, std::nullopt)
                     : Result<snapshot::LayerBlob>(made);
  }
  if (mounted_here) UnmountRootfs(paths.merged).PermitUncheckedError();
  if (!entries.ok()) return entries.status().Annotate("export " + record.ShortId());
  if (!blob.ok()) return blob.status().Annotate("export " + record.ShortId());
  return blob->path;
}

}  // namespace strata::cli::container
