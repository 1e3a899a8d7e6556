#include "snapshot/overlay_snapshotter.h"

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/numbers.h"
#include "common/random_hex.h"
#include "image/digest.h"
#include "snapshot/mount_points.h"

namespace strata::snapshot {
namespace {

constexpr size_t kShortLinkLength = 16;

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// mount(2) of an overlay whose option paths are relative to `dir`, done on
// a thread with a private cwd so the process's cwd is untouched.
Status MountOverlayFrom(const std::string& dir, const std::string& target,
                        const std::string& options) {
  Status result;
  std::thread mounter([&] {
    if (unshare(CLONE_FS) != 0) {
      result = ErrnoStatus("unshare(CLONE_FS) for", target);
      return;
    }
    if (chdir(dir.c_str()) != 0) {
      result = ErrnoStatus("chdir", dir);
      return;
    }
    if (mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0) {
      result = Status::IOError("mount overlay at " + target + " (" + options +
                               "): " + std::strerror(errno) +
                               "; overlayfs needs root and a kernel with overlay support");
    }
  });
  mounter.join();
  return result;
}

}  // namespace

std::vector<std::string> OverlayLowerOrder(const std::vector<std::string>& chain) {
  std::vector<std::string> top_first;
  std::set<std::string> seen;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (seen.insert(*it).second) top_first.push_back(*it);
  }
  return top_first;
}

bool StagingOwnerGone(const std::string& name) {
  // "<hex>-<pid>-<random>"; anything else predates the pid in the name.
  size_t first = name.find('-');
  size_t second = first == std::string::npos ? first : name.find('-', first + 1);
  if (second == std::string::npos) return true;
  std::string digits = name.substr(first + 1, second - first - 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return true;
  pid_t pid = static_cast<pid_t>(ParseInt64InRange(digits, 0, INT32_MAX).value_or(0));
  return pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH);
}

Status RemoveAbandonedStaging(const std::string& tmp_dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(tmp_dir));
  for (const std::string& name : names) {
    if (StagingOwnerGone(name)) TRY(RemoveTree(tmp_dir + "/" + name));
  }
  return Status::OK();
}

Result<std::unique_ptr<OverlaySnapshotter>> OverlaySnapshotter::Open(const std::string& root) {
  if (root.empty() || root[0] != '/') {
    return Status::InvalidArgument("snapshotter root must be an absolute path, got \"" + root +
                                   "\"");
  }
  for (const char* sub : {"snapshots", "l", "tmp", "mounts", "empty"}) {
    TRY(MakeDirs(root + "/" + sub, 0700));
  }
  // Unpacks interrupted by a crash are never renamed into place. Other
  // processes may share this root (the local worker and `strata container`),
  // so only the staging dirs of processes that no longer exist are removed.
  TRY(RemoveAbandonedStaging(root + "/tmp"));
  return std::unique_ptr<OverlaySnapshotter>(new OverlaySnapshotter(root));
}

Status OverlaySnapshotter::Probe() {
  std::string id = "probe-" + RandomHex(8);
  ASSIGN_OR_RETURN(Mount mount, Prepare({}, id));
  return Release(mount, Keep::kNothing);
}

Result<int> OverlaySnapshotter::RemoveAbandonedMounts() {
  const std::string mounts = root_ + "/mounts";
  for (const std::string& point : MountPointsUnder(mounts + "/")) {
    if (umount2(point.c_str(), 0) == 0) continue;
    // Still in use (a process of the dead worker's container lingers):
    // detached now, gone when the last user goes.
    if (errno == EBUSY && umount2(point.c_str(), MNT_DETACH) == 0) continue;
    if (errno != EINVAL && errno != ENOENT) return ErrnoStatus("umount", point);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> left, ListDirectory(mounts));
  // Through tmp/ under a staging name: a large upper dir goes in the
  // background, and a crash meanwhile leaves it to the next start.
  for (const std::string& name : left) {
    TRY(RemoveTreeInBackground(
        mounts + "/" + name,
        root_ + "/tmp/released-" + std::to_string(getpid()) + "-" + RandomHex(12)));
  }
  if (!left.empty()) {
    LOG(INFO) << "snapshots: removed " << left.size() << " mount(s) a dead worker left in "
              << mounts;
  }
  return static_cast<int>(left.size());
}

Result<std::string> OverlaySnapshotter::DiffHex(const std::string& diff_id) {
  ASSIGN_OR_RETURN(Digest digest, Digest::Parse(diff_id));
  return digest.hex();
}

std::string OverlaySnapshotter::LayerDir(const std::string& diff_hex) const {
  return root_ + "/snapshots/" + diff_hex + "/fs";
}

Result<bool> OverlaySnapshotter::HasLayer(const std::string& diff_id) {
  ASSIGN_OR_RETURN(std::string hex, DiffHex(diff_id));
  return Exists(LayerDir(hex));
}

Result<std::string> OverlaySnapshotter::EnsureShortLink(const std::string& diff_hex) {
  std::string name = "l/" + diff_hex.substr(0, kShortLinkLength);
  std::string link = root_ + "/" + name;
  std::string target = "../snapshots/" + diff_hex + "/fs";
  if (symlink(target.c_str(), link.c_str()) == 0) return name;
  if (errno != EEXIST) return ErrnoStatus("symlink", link);
  char buffer[256];
  ssize_t n = readlink(link.c_str(), buffer, sizeof buffer - 1);
  if (n < 0) return ErrnoStatus("readlink", link);
  if (std::string(buffer, n) != target) {
    return Status::Corruption("short link " + link + " points to " + std::string(buffer, n) +
                              ", expected " + target +
                              " (two layers share a 64-bit prefix, or the store was edited)");
  }
  return name;
}

Status OverlaySnapshotter::EnsureLayer(const std::string& diff_id, LayerUnpacker& unpacker) {
  ASSIGN_OR_RETURN(std::string hex, DiffHex(diff_id));
  if (!Exists(LayerDir(hex))) {
    std::string staging =
        root_ + "/tmp/" + hex + "-" + std::to_string(getpid()) + "-" + RandomHex(12);
    TRY(MakeDirs(staging + "/fs", 0755));
    Status unpacked = unpacker.Unpack(staging + "/fs");
    if (!unpacked.ok()) {
      RemoveTree(staging).PermitUncheckedError();
      return unpacked.Annotate("unpacking layer " + diff_id);
    }
    std::string final_dir = root_ + "/snapshots/" + hex;
    if (rename(staging.c_str(), final_dir.c_str()) != 0) {
      // Another caller unpacked the same layer first: keep theirs.
      bool lost_race = errno == EEXIST || errno == ENOTEMPTY;
      Status failed = ErrnoStatus("rename into place", final_dir);
      RemoveTree(staging).PermitUncheckedError();
      if (!lost_race) return failed;
    }
  }
  return EnsureShortLink(hex).status();
}

Result<Mount> OverlaySnapshotter::Prepare(const std::vector<std::string>& chain,
                                          const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos || id == "." || id == "..") {
    return Status::InvalidArgument("mount id \"" + id + "\" must be a non-empty file name");
  }
  Mount mount;
  mount.id = id;
  std::string lowers;
  for (const std::string& diff_id : OverlayLowerOrder(chain)) {
    ASSIGN_OR_RETURN(std::string hex, DiffHex(diff_id));
    if (!Exists(LayerDir(hex))) {
      return Status::NotFound("layer " + diff_id + " is not unpacked in " + root_ +
                              "; call EnsureLayer before Prepare");
    }
    ASSIGN_OR_RETURN(std::string link, EnsureShortLink(hex));
    if (!lowers.empty()) lowers += ':';
    lowers += link;
    mount.lower_dirs.push_back(LayerDir(hex));
  }
  if (chain.empty()) {
    lowers = "empty";
    mount.lower_dirs.push_back(root_ + "/empty");
  }
  std::string rel = "mounts/" + id;
  std::string options =
      "lowerdir=" + lowers + ",upperdir=" + rel + "/upper,workdir=" + rel + "/work";
  // The kernel copies at most one page of mount options.
  if (options.size() >= static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    return Status::InvalidArgument("a chain of " + std::to_string(chain.size()) +
                                   " layers is too long for one overlay mount (" +
                                   std::to_string(options.size()) + " bytes of options)");
  }
  std::string dir = root_ + "/" + rel;
  if (mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists("mount id \"" + id + "\" is in use under " + root_ +
                                   "/mounts; release it first");
    }
    return ErrnoStatus("mkdir", dir);
  }
  mount.target = dir + "/merged";
  mount.upper_dir = dir + "/upper";
  mount.work_dir = dir + "/work";
  Status made;
  for (const std::string* sub : {&mount.upper_dir, &mount.work_dir, &mount.target}) {
    if (made.ok() && mkdir(sub->c_str(), 0755) != 0) made = ErrnoStatus("mkdir", *sub);
  }
  if (made.ok()) made = MountOverlayFrom(root_, mount.target, options);
  if (!made.ok()) {
    RemoveTree(dir).PermitUncheckedError();
    return made;
  }
  return mount;
}

Status OverlaySnapshotter::Release(const Mount& mount, Keep keep) {
  if (umount2(mount.target.c_str(), 0) != 0) {
    if (errno == EBUSY) {
      // Something still has a file open inside; detach now, the kernel
      // finishes when the last user goes away.
      if (umount2(mount.target.c_str(), MNT_DETACH) != 0)
        return ErrnoStatus("umount", mount.target);
    } else if (errno != EINVAL && errno != ENOENT) {
      return ErrnoStatus("umount", mount.target);
    }
  }
  TRY(RemoveTree(mount.work_dir));
  TRY(RemoveTree(mount.target));
  if (keep == Keep::kUpper) return Status::OK();
  // A step's upper dir can hold a large tree: it goes in the background,
  // through tmp/ under a staging name that start-up cleanup recognises.
  std::string dir = root_ + "/mounts/" + mount.id;
  return RemoveTreeInBackground(
      dir, root_ + "/tmp/released-" + std::to_string(getpid()) + "-" + RandomHex(12));
}

Result<std::vector<std::string>> OverlaySnapshotter::ListLayers() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(root_ + "/snapshots"));
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::string diff_id = "sha256:" + name;
    if (Digest::Parse(diff_id).ok() && Exists(LayerDir(name))) out.push_back(diff_id);
  }
  return out;
}

Result<uint64_t> OverlaySnapshotter::LayerBytes(const std::string& diff_id) {
  ASSIGN_OR_RETURN(std::string hex, DiffHex(diff_id));
  const std::string note = root_ + "/snapshots/" + hex + "/bytes";
  if (Result<std::string> kept = ReadFile(note); kept.ok()) {
    if (std::optional<int64_t> bytes = ParseInt64(*kept); bytes && *bytes >= 0) {
      return static_cast<uint64_t>(*bytes);
    }
  }
  ASSIGN_OR_RETURN(uint64_t bytes, TreeBytes(LayerDir(hex)));
  // Written whole or not at all (a torn note is measured again).
  const std::string staging = note + "." + RandomHex(8);
  if (!WriteFile(staging, std::to_string(bytes)).ok() ||
      ::rename(staging.c_str(), note.c_str()) != 0) {
    ::unlink(staging.c_str());
  }
  return bytes;
}

Status OverlaySnapshotter::RemoveLayer(const std::string& diff_id) {
  ASSIGN_OR_RETURN(std::string hex, DiffHex(diff_id));
  const std::string link = root_ + "/l/" + hex.substr(0, kShortLinkLength);
  if (::unlink(link.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", link);
  const std::string dir = root_ + "/snapshots/" + hex;
  if (!Exists(dir)) return Status::OK();
  return RemoveTreeInBackground(
      dir, root_ + "/tmp/released-" + std::to_string(getpid()) + "-" + RandomHex(12));
}

Status DirectoryCopyUnpacker::Unpack(const std::string& dir) { return CopyTree(source_, dir); }

}  // namespace strata::snapshot
