#include "worker/context_materializer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <vector>

#include "common/errno_status.h"

namespace strata::worker {
namespace {

struct Planned {
  std::string path;  // normalized, relative, never empty
  const v1::ContextEntry* entry;
};

// `raw` without "." and empty components; InvalidArgument for an absolute
// path or a ".." component. "" when it names the root.
Result<std::string> Normalize(const std::string& raw) {
  if (!raw.empty() && raw.front() == '/') {
    return Status::InvalidArgument("context entry '" + raw + "' is absolute");
  }
  std::string out;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('/', start);
    if (end == std::string::npos) end = raw.size();
    std::string part = raw.substr(start, end - start);
    if (part == "..") {
      return Status::InvalidArgument("context entry '" + raw + "' leaves the context (..)");
    }
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    start = end + 1;
  }
  return out;
}

Status CopyBlob(const std::string& from, const std::string& to, const v1::ContextEntry& entry) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ErrnoStatus("open", from);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    Status s = ErrnoStatus("open", to);
    ::close(in);
    return s;
  }
  Status status;
  uint64_t copied = 0;
  std::vector<char> buffer(1 << 20);
  while (status.ok()) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus("read", from);
      break;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        status = ErrnoStatus("write", to);
        break;
      }
      done += w;
    }
    copied += static_cast<uint64_t>(n);
  }
  if (status.ok() && copied != entry.size()) {
    status = Status::Corruption("context file '" + entry.path() + "' should have " +
                                std::to_string(entry.size()) + " bytes but its blob " +
                                entry.sha256() + " has " + std::to_string(copied));
  }
  if (status.ok() && ::fchmod(out, entry.mode() & 07777) != 0) status = ErrnoStatus("fchmod", to);
  ::close(in);
  if (::close(out) != 0 && status.ok()) status = ErrnoStatus("close", to);
  return status;
}

// Validates and sorts the entries (parents before children).
Result<std::vector<Planned>> Plan(
    const google::protobuf::RepeatedPtrField<v1::ContextEntry>& entries) {
  std::vector<Planned> plan;
  std::set<std::string> symlinks;
  for (const v1::ContextEntry& entry : entries) {
    ASSIGN_OR_RETURN(std::string path, Normalize(entry.path()));
    switch (entry.type()) {
      case v1::ContextEntry::TYPE_DIRECTORY:
        if (path.empty()) continue;  // the root itself
        break;
      case v1::ContextEntry::TYPE_REGULAR:
        if (!Digest::Parse(entry.sha256()).ok()) {
          return Status::InvalidArgument("context file '" + entry.path() +
                                         "' has no valid sha256 ('" + entry.sha256() + "')");
        }
        break;
      case v1::ContextEntry::TYPE_SYMLINK:
        symlinks.insert(path);
        break;
      default:
        return Status::InvalidArgument("context entry '" + entry.path() + "' has unknown type " +
                                       std::to_string(entry.type()));
    }
    if (path.empty())
      return Status::InvalidArgument("context entry '" + entry.path() + "' names the root");
    plan.push_back({path, &entry});
  }
  std::sort(plan.begin(), plan.end(),
            [](const Planned& a, const Planned& b) { return a.path < b.path; });
  for (size_t i = 0; i < plan.size(); ++i) {
    if (i > 0 && plan[i].path == plan[i - 1].path) {
      return Status::InvalidArgument("context entry '" + plan[i].path + "' is listed twice");
    }
    for (size_t slash = plan[i].path.find('/'); slash != std::string::npos;
         slash = plan[i].path.find('/', slash + 1)) {
      if (symlinks.count(plan[i].path.substr(0, slash)) != 0) {
        return Status::InvalidArgument("context entry '" + plan[i].path +
                                       "' lies under the symlink '" +
                                       plan[i].path.substr(0, slash) + "'");
      }
    }
  }
  return plan;
}

Status SetXattrs(const std::string& path, const v1::ContextEntry& entry) {
  for (const auto& [name, value] : entry.xattrs()) {
    if (::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0) {
      // user.* cannot be set on a symlink; a file system without xattrs keeps none.
      if (errno == EPERM || errno == ENOTSUP) continue;
      return ErrnoStatus("lsetxattr " + name, path);
    }
  }
  return Status::OK();
}

Status SetTime(const std::string& path, int64_t mtime) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(mtime);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoStatus("utimensat", path);
  }
  return Status::OK();
}

}  // namespace

Status MaterializeContext(const google::protobuf::RepeatedPtrField<v1::ContextEntry>& entries,
                          const std::string& dir, const BlobPathFn& blob_path, int64_t mtime) {
  ASSIGN_OR_RETURN(std::vector<Planned> plan, Plan(entries));
  std::vector<std::string> all = {dir};                     // for the times
  std::vector<std::pair<std::string, uint32_t>> dir_modes;  // applied last
  std::set<std::string> made;
  // Hard link group -> the first entry of it written, which the others link to.
  std::map<std::string, std::pair<std::string, const v1::ContextEntry*>> groups;
  for (const Planned& p : plan) {
    // Missing parents (entries sort after their parents, so a listed parent
    // already exists).
    for (size_t slash = p.path.find('/'); slash != std::string::npos;
         slash = p.path.find('/', slash + 1)) {
      std::string parent = p.path.substr(0, slash);
      if (made.insert(parent).second) {
        std::string full = dir + "/" + parent;
        if (::mkdir(full.c_str(), 0755) != 0) return ErrnoStatus("mkdir", full);
        all.push_back(full);
        dir_modes.emplace_back(full, 0755);
      }
    }
    std::string full = dir + "/" + p.path;
    const v1::ContextEntry& entry = *p.entry;
    switch (entry.type()) {
      case v1::ContextEntry::TYPE_DIRECTORY:
        if (made.insert(p.path).second) {
          if (::mkdir(full.c_str(), 0700) != 0) return ErrnoStatus("mkdir", full);
          all.push_back(full);
        }
        TRY(SetXattrs(full, entry));
        dir_modes.emplace_back(full, entry.mode() & 07777);
        break;
      case v1::ContextEntry::TYPE_REGULAR: {
        if (!entry.hardlink_group().empty()) {
          auto [it, first] = groups.emplace(entry.hardlink_group(), std::make_pair(full, &entry));
          if (!first) {
            const v1::ContextEntry& head = *it->second.second;
            if (head.sha256() != entry.sha256() || head.mode() != entry.mode()) {
              return Status::InvalidArgument("context file '" + entry.path() +
                                             "' is a hard link of '" + head.path() +
                                             "' but differs from it in content or mode");
            }
            if (::link(it->second.first.c_str(), full.c_str()) != 0) {
              return ErrnoStatus("link", full);
            }
            break;  // one inode: content, mode, xattrs and times are shared
          }
        }
        ASSIGN_OR_RETURN(Digest digest, Digest::Parse(entry.sha256()));
        ASSIGN_OR_RETURN(std::string blob, blob_path(digest));
        TRY(CopyBlob(blob, full, entry));
        TRY(SetXattrs(full, entry));
        all.push_back(full);
        break;
      }
      case v1::ContextEntry::TYPE_SYMLINK:
        if (::symlink(entry.link_target().c_str(), full.c_str()) != 0) {
          return ErrnoStatus("symlink", full);
        }
        TRY(SetXattrs(full, entry));
        all.push_back(full);
        break;
      default:
        break;  // refused by Plan
    }
  }
  // Directory modes last: a read-only directory must not stop its children.
  for (const auto& [path, mode] : dir_modes) {
    if (::chmod(path.c_str(), mode) != 0) return ErrnoStatus("chmod", path);
  }
  for (const std::string& path : all) TRY(SetTime(path, mtime));
  return Status::OK();
}

}  // namespace strata::worker
