#include "sandbox/mount_stubs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/errno_status.h"

namespace strata::sandbox {

std::vector<MountPoint> RootfsMountPoints(const RunSpec& spec) {
  std::vector<MountPoint> points = {
      {"/proc", false},           {"/dev", false}, {"/sys", false}, {"/etc/hosts", true},
      {"/etc/resolv.conf", true},
  };
  for (const BindMount& m : spec.mounts) {
    struct stat st;
    bool is_file = stat(m.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    points.push_back({m.destination, is_file});
  }
  return points;
}

namespace {

Status CreateStubs(const std::string& rootfs, const std::vector<MountPoint>& points,
                   MountStubs* stubs) {
  for (const MountPoint& point : points) {
    std::string path = rootfs;
    size_t start = 1;
    while (start <= point.destination.size()) {
      size_t end = point.destination.find('/', start);
      if (end == std::string::npos) end = point.destination.size();
      std::string part = point.destination.substr(start, end - start);
      start = end + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") break;  // not ours to resolve; runc confines it
      path += "/" + part;
      bool last = end == point.destination.size();
      struct stat st;
      if (lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode) || (!last && !S_ISDIR(st.st_mode))) break;
        continue;
      }
      if (errno != ENOENT) return ErrnoStatus("lstat", path);
      std::string parent = path.substr(0, path.rfind('/'));
      bool parent_is_new = !stubs->created.empty() && stubs->created.back() == parent;
      struct stat parent_st;
      if (!parent_is_new && lstat(parent.c_str(), &parent_st) == 0) {
        stubs->touched_parents.push_back(
            {parent, parent_st.st_atim, parent_st.st_mtim, parent_st.st_mtim});
      }
      if (last && point.is_file) {
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) return ErrnoStatus("create mount point", path);
        close(fd);
      } else if (mkdir(path.c_str(), 0755) != 0) {
        return ErrnoStatus("mkdir mount point", path);
      }
      stubs->created.push_back(path);
    }
  }
  return Status::OK();
}

}  // namespace

Result<MountStubs> CreateMountStubs(const std::string& rootfs,
                                    const std::vector<MountPoint>& points) {
  MountStubs stubs;
  Status created = CreateStubs(rootfs, points, &stubs);
  if (!created.ok()) {
    RemoveMountStubs(stubs);
    return created;
  }
  for (MountStubs::Parent& parent : stubs.touched_parents) {
    struct stat st;
    if (lstat(parent.path.c_str(), &st) == 0) parent.mtime_after = st.st_mtim;
  }
  return stubs;
}

void RemoveMountStubs(const MountStubs& stubs) {
  std::vector<bool> untouched;
  for (const MountStubs::Parent& parent : stubs.touched_parents) {
    struct stat st;
    untouched.push_back(lstat(parent.path.c_str(), &st) == 0 &&
                        st.st_mtim.tv_sec == parent.mtime_after.tv_sec &&
                        st.st_mtim.tv_nsec == parent.mtime_after.tv_nsec);
  }
  const std::vector<std::string>& created = stubs.created;
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    struct stat st;
    if (lstat(it->c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      rmdir(it->c_str());  // fails, as it should, when not empty
    } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
      unlink(it->c_str());
    }
  }
  for (size_t i = stubs.touched_parents.size(); i-- > 0;) {
    if (!untouched[i]) continue;
    const MountStubs::Parent& parent = stubs.touched_parents[i];
    struct timespec times[2] = {parent.atime, parent.mtime};
    utimensat(AT_FDCWD, parent.path.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
}

}  // namespace strata::sandbox
