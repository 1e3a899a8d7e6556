#include "cli/context/tar_context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "common/path_clean.h"
#include "dockerfile/dockerignore.h"
#include "image/layer_reader.h"

namespace strata::cli::context {
namespace {

constexpr size_t kBufferBytes = 1 << 20;

Status SpoolError(const std::string& what, const std::string& path) {
  return Status::IOError("cannot " + what + " " + path +
                         " while spooling the tar context: " + std::strerror(errno));
}

// "./a//b/" -> "a/b"; "a/../b" -> "b"; "/a" -> "a" (a tar name counts from
// the context root); InvalidArgument when ".." climbs above the root.
Result<std::string> CleanTarPath(const std::string& raw) {
  std::optional<std::string> clean = CleanPathInside(raw);
  if (!clean) {
    return Status::InvalidArgument("tar context entry \"" + raw +
                                   "\" points outside the context; rebuild the tar without it");
  }
  return *clean;
}

class Spooler {
 public:
  Spooler(std::string dir, ContextManifest* out) : dir_(std::move(dir)), out_(out) {}

  Status Add(image::LayerReader& reader, const image::LayerEntry& le) {
    ASSIGN_OR_RETURN(std::string path, CleanTarPath(le.path));
    if (path.empty()) return Status::OK();  // the root itself
    TRY(EnsureParents(path));
    std::string host = dir_ + "/" + path;
    auto existing = entries_.find(path);
    if (existing != entries_.end()) {
      bool was_dir = existing->second.type == EntryType::kDirectory;
      if (was_dir && le.type == image::EntryType::kDirectory) {
        existing->second.mode = le.mode & 07777;
        return Status::OK();
      }
      if (was_dir) {
        return Status::InvalidArgument("tar context replaces directory \"" + path +
                                       "\" with a non-directory; rebuild the tar without it");
      }
      if (::unlink(host.c_str()) != 0 && errno != ENOENT) return SpoolError("remove", host);
      entries_.erase(existing);
    }

    ContextEntry e;
    e.path = path;
    e.mode = le.mode & 07777;
    for (const auto& [name, value] : le.xattrs) {
      if (XattrTravelsWithTheFile(name)) e.xattrs[name] = value;
    }
    switch (le.type) {
      case image::EntryType::kDirectory:
        e.type = EntryType::kDirectory;
        if (::mkdir(host.c_str(), 0700) != 0 && errno != EEXIST) return SpoolError("create", host);
        break;
      case image::EntryType::kSymlink:
        e.type = EntryType::kSymlink;
        e.link_target = le.link_target;
        break;
      case image::EntryType::kRegular:
        e.type = EntryType::kRegular;
        TRY(WriteFile(reader, host, &e));
        break;
      case image::EntryType::kHardlink: {
        ASSIGN_OR_RETURN(std::string target, CleanTarPath(le.link_target));
        auto it = entries_.find(target);
        if (it == entries_.end() || it->second.type != EntryType::kRegular) {
          return Status::InvalidArgument("tar context entry \"" + path + "\" is a hard link to \"" +
                                         le.link_target +
                                         "\", which is not an earlier regular file");
        }
        if (::link((dir_ + "/" + target).c_str(), host.c_str()) != 0) {
          return SpoolError("link", host);
        }
        e = it->second;
        e.path = path;
        break;
      }
      default:
        out_->warnings.push_back(path + ": device or fifo skipped");
        return Status::OK();
    }
    entries_[path] = std::move(e);
    return Status::OK();
  }

  std::map<std::string, ContextEntry>& entries() { return entries_; }

 private:
  // Lists (and creates) the parent directories of `path`; fails when one of
  // them is already something other than a directory.
  Status EnsureParents(const std::string& path) {
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      std::string parent = path.substr(0, slash);
      auto it = entries_.find(parent);
      if (it != entries_.end()) {
        if (it->second.type != EntryType::kDirectory) {
          return Status::InvalidArgument("tar context entry \"" + path + "\" lies below \"" +
                                         parent + "\", which is not a directory");
        }
        continue;
      }
      std::string host = dir_ + "/" + parent;
      if (::mkdir(host.c_str(), 0700) != 0 && errno != EEXIST) return SpoolError("create", host);
      ContextEntry dir;
      dir.path = parent;
      dir.type = EntryType::kDirectory;
      dir.mode = 0755;
      entries_[parent] = std::move(dir);
    }
    return Status::OK();
  }

  Status WriteFile(image::LayerReader& reader, const std::string& host, ContextEntry* e) {
    // A spool directory reused from an earlier run may still hold the file.
    if (::unlink(host.c_str()) != 0 && errno != ENOENT) return SpoolError("remove", host);
    int fd = ::open(host.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return SpoolError("create", host);
    Sha256Hasher hasher;
    Status status;
    while (status.ok()) {
      Result<size_t> n = reader.ReadData(buffer_.get(), kBufferBytes);
      if (!n.ok()) {
        status = n.status();
        break;
      }
      if (*n == 0) break;
      hasher.Update(buffer_.get(), *n);
      for (size_t done = 0; done < *n;) {
        ssize_t w = ::write(fd, buffer_.get() + done, *n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          status = SpoolError("write", host);
          break;
        }
        done += static_cast<size_t>(w);
      }
    }
    if (::close(fd) != 0 && status.ok()) status = SpoolError("write", host);
    TRY(status);
    e->size = hasher.size();
    e->content = hasher.Finish();
    out_->stats.files_hashed++;
    out_->stats.bytes_hashed += e->size;
    return Status::OK();
  }

  std::string dir_;
  ContextManifest* out_;
  std::map<std::string, ContextEntry> entries_;
  std::unique_ptr<char[]> buffer_{new char[kBufferBytes]};
};

Result<std::string> ReadSpooled(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return SpoolError("open", path);
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = SpoolError("read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

// Drops what .dockerignore excludes, keeping the parents of whatever stays.
Status ApplyDockerIgnore(const std::string& spool_dir, std::map<std::string, ContextEntry>* entries,
                         ContextManifest* out) {
  auto it = entries->find(".dockerignore");
  if (it == entries->end() || it->second.type != EntryType::kRegular) return Status::OK();
  ASSIGN_OR_RETURN(std::string content, ReadSpooled(spool_dir + "/.dockerignore"));
  Result<dockerfile::DockerIgnore> ignore = dockerfile::DockerIgnore::Parse(content);
  if (!ignore.ok()) return ignore.status().Annotate(".dockerignore in the tar context");
  if (ignore->empty()) return Status::OK();
  std::set<std::string> keep;
  for (const auto& [path, e] : *entries) {
    if (ignore->Excluded(path)) continue;
    keep.insert(path);
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      keep.insert(path.substr(0, slash));
    }
  }
  for (auto e = entries->begin(); e != entries->end();) {
    if (keep.count(e->first) != 0) {
      ++e;
      continue;
    }
    out->stats.excluded++;
    e = entries->erase(e);
  }
  return Status::OK();
}

}  // namespace

Result<ContextManifest> ScanTarContext(image::ByteSource& in, const std::string& spool_dir) {
  if (::mkdir(spool_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return SpoolError("create", spool_dir);
  }
  ContextManifest manifest;
  manifest.content_root = spool_dir;
  image::LayerReader reader(&in);
  Spooler spooler(spool_dir, &manifest);
  image::LayerEntry le;
  while (true) {
    Result<bool> more = reader.Next(&le);
    if (!more.ok()) return more.status().Annotate("reading the build context tar from stdin");
    if (!*more) break;
    TRY(spooler.Add(reader, le));
  }
  TRY(ApplyDockerIgnore(spool_dir, &spooler.entries(), &manifest));
  for (auto& [path, e] : spooler.entries()) {
    if (e.type == EntryType::kRegular) {
      manifest.stats.files++;
      manifest.stats.bytes_total += e.size;
    }
    manifest.entries.push_back(std::move(e));
  }
  // Hard links of the tar were spooled as links: the manifest says so.
  std::map<std::string, std::string> inodes;
  for (const ContextEntry& e : manifest.entries) {
    struct stat st;
    std::string host = spool_dir + "/" + e.path;
    if (e.type != EntryType::kRegular || ::lstat(host.c_str(), &st) != 0 || st.st_nlink < 2)
      continue;
    inodes[e.path] = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  AssignHardlinkGroups(inodes, &manifest.entries);
  return manifest;
}

}  // namespace strata::cli::context
