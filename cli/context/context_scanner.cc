#include "cli/context/context_scanner.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "cli/context/file_hasher.h"
#include "dockerfile/dockerignore.h"

namespace strata::cli::context {
namespace {

Status PathError(const std::string& what, const std::string& rel, const std::string& full,
                 int err) {
  std::string msg = what + " \"" + (rel.empty() ? "." : rel) + "\" (" + full +
                    "): " + std::strerror(err) +
                    "; make it readable or exclude it in .dockerignore";
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(std::move(msg));
  return Status::IOError(std::move(msg));
}

const char* SpecialTypeName(mode_t mode) {
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "file of unknown type";
}

// The extended attributes of `full` (not following a symlink).
Status ReadXattrs(const std::string& rel, const std::string& full,
                  std::map<std::string, std::string>* out) {
  ssize_t len = ::llistxattr(full.c_str(), nullptr, 0);
  if (len < 0 && (errno == ENOTSUP || errno == ENODATA)) return Status::OK();
  if (len < 0) return PathError("cannot list extended attributes of", rel, full, errno);
  std::string names(static_cast<size_t>(len), '\0');
  len = ::llistxattr(full.c_str(), names.data(), names.size());
  if (len < 0) return PathError("cannot list extended attributes of", rel, full, errno);
  names.resize(static_cast<size_t>(len));
  for (size_t at = 0; at < names.size();) {
    std::string name = names.c_str() + at;
    at += name.size() + 1;
    if (name.empty() || !XattrTravelsWithTheFile(name)) continue;
    ssize_t size = ::lgetxattr(full.c_str(), name.c_str(), nullptr, 0);
    if (size < 0 && errno == ENODATA) continue;  // removed meanwhile
    if (size < 0) return PathError("cannot read extended attribute " + name + " of", rel, full, errno);
    std::string value(static_cast<size_t>(size), '\0');
    size = ::lgetxattr(full.c_str(), name.c_str(), value.data(), value.size());
    if (size < 0) return PathError("cannot read extended attribute " + name + " of", rel, full, errno);
    value.resize(static_cast<size_t>(size));
    (*out)[name] = std::move(value);
  }
  return Status::OK();
}

// One walk over a context directory; collects entries and the files whose
// content still has to be read.
class Walker {
 public:
  Walker(const std::string& root, const dockerfile::DockerIgnore& ignore, StatCache* cache,
         ContextManifest* out)
      : root_(root), ignore_(ignore), cache_(cache), out_(out) {}

  // Walks the directory `rel` ("" for the root).
  Status WalkDir(const std::string& rel) {
    std::string full = rel.empty() ? root_ : root_ + "/" + rel;
    DIR* dir = ::opendir(full.c_str());
    if (dir == nullptr) return PathError("cannot list build context directory", rel, full, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* d = ::readdir(dir)) {
      if (std::strcmp(d->d_name, ".") != 0 && std::strcmp(d->d_name, "..") != 0) {
        names.emplace_back(d->d_name);
      }
      errno = 0;
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return PathError("cannot list build context directory", rel, full, err);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      TRY(Visit(rel.empty() ? name : rel + "/" + name));
    }
    return Status::OK();
  }

  std::vector<HashJob>& jobs() { return jobs_; }
  const std::map<std::string, std::string>& inodes() const { return inodes_; }
  std::vector<size_t>& job_entries() { return job_entries_; }
  std::vector<FileStat>& job_stats() { return job_stats_; }

 private:
  Status Visit(const std::string& rel) {
    std::string full = root_ + "/" + rel;
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0) {
      return PathError("cannot stat build context path", rel, full, errno);
    }
    bool excluded = ignore_.Excluded(rel);
    if (excluded) {
      ++out_->stats.excluded;
      // Descend only when an exception could bring something back; the
      // directory itself is listed only if something below it was.
      if (!S_ISDIR(st.st_mode) || !ignore_.MayHaveExceptionsUnder(rel)) return Status::OK();
      size_t before = out_->entries.size();
      TRY(WalkDir(rel));
      if (out_->entries.size() > before) out_->entries.push_back(DirEntry(rel, st));
      return Status::OK();
    }

    ContextEntry e;
    e.path = rel;
    e.mode = static_cast<uint32_t>(st.st_mode) & 07777;
    if (S_ISDIR(st.st_mode)) {
      out_->entries.push_back(DirEntry(rel, st));
      TRY(ReadXattrs(rel, full, &out_->entries.back().xattrs));
      return WalkDir(rel);
    }
    if (S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)) TRY(ReadXattrs(rel, full, &e.xattrs));
    if (S_ISLNK(st.st_mode)) {
      e.type = EntryType::kSymlink;
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
      if (n < 0) return PathError("cannot read symlink in build context", rel, full, errno);
      target.resize(static_cast<size_t>(n));
      e.link_target = std::move(target);
      out_->entries.push_back(std::move(e));
      return Status::OK();
    }
    if (!S_ISREG(st.st_mode)) {
      out_->warnings.push_back(rel + ": " + SpecialTypeName(st.st_mode) + " skipped");
      return Status::OK();
    }
    e.type = EntryType::kRegular;
    e.size = static_cast<uint64_t>(st.st_size);
    if (st.st_nlink > 1) {
      inodes_[rel] = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    }
    ++out_->stats.files;
    out_->stats.bytes_total += e.size;
    FileStat fs = FileStat::FromStat(st);
    std::optional<Digest> cached = cache_ ? cache_->Lookup(rel, fs) : std::nullopt;
    if (cached) {
      e.content = std::move(*cached);
      ++out_->stats.files_from_cache;
    } else {
      jobs_.push_back(HashJob{full, rel});
      job_entries_.push_back(out_->entries.size());
      job_stats_.push_back(fs);
    }
    out_->entries.push_back(std::move(e));
    return Status::OK();
  }

  static ContextEntry DirEntry(const std::string& rel, const struct stat& st) {
    ContextEntry e;
    e.path = rel;
    e.type = EntryType::kDirectory;
    e.mode = static_cast<uint32_t>(st.st_mode) & 07777;
    return e;
  }

  const std::string& root_;
  const dockerfile::DockerIgnore& ignore_;
  StatCache* cache_;
  ContextManifest* out_;
  std::vector<HashJob> jobs_;
  std::vector<size_t> job_entries_;  // index into out_->entries per job
  std::vector<FileStat> job_stats_;  // lstat data per job
  std::map<std::string, std::string> inodes_;  // path -> "dev:ino", files with several names
};

Result<dockerfile::DockerIgnore> LoadIgnore(const std::string& dir, const ScanOptions& options) {
  std::string content;
  std::string source = ".dockerignore given by the caller";
  if (options.dockerignore) {
    content = *options.dockerignore;
  } else {
    source = dir + "/.dockerignore";
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return dockerfile::DockerIgnore();
      return Status::IOError("cannot open " + source + ": " + std::strerror(errno));
    }
    char buf[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status s = Status::IOError("cannot read " + source + ": " + std::strerror(errno));
        ::close(fd);
        return s;
      }
      if (n == 0) break;
      content.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
  }
  Result<dockerfile::DockerIgnore> ignore = dockerfile::DockerIgnore::Parse(content);
  if (!ignore.ok()) return ignore.status().Annotate(source);
  return ignore;
}

}  // namespace

Result<ContextManifest> ScanContext(const std::string& dir, const ScanOptions& options) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    int err = errno;
    std::string msg = "build context " + dir + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(msg + "; check the path given to strata build");
    return Status::IOError(msg);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("build context " + dir +
                                   " is not a directory; pass a directory, or - to read a tar "
                                   "from stdin");
  }
  ASSIGN_OR_RETURN(dockerfile::DockerIgnore ignore, LoadIgnore(dir, options));

  SystemClock system_clock;
  Clock* clock = options.clock ? options.clock : &system_clock;
  int64_t scan_started_ns = clock->NowUnixNanos();

  ContextManifest manifest;
  manifest.content_root = dir;
  Walker walker(dir, ignore, options.stat_cache, &manifest);
  TRY(walker.WalkDir(""));

  ASSIGN_OR_RETURN(std::vector<HashOutput> hashed, HashFiles(walker.jobs(), options.hash_threads));
  for (size_t i = 0; i < hashed.size(); ++i) {
    ContextEntry& e = manifest.entries[walker.job_entries()[i]];
    const FileStat& fs = walker.job_stats()[i];
    manifest.stats.files_hashed++;
    manifest.stats.bytes_hashed += hashed[i].bytes;
    manifest.stats.bytes_total += hashed[i].bytes - e.size;
    // The entry describes the bytes actually hashed; a file that changed
    // size under us is not remembered, so the next scan reads it again.
    e.size = hashed[i].bytes;
    e.content = hashed[i].content;
    if (options.stat_cache != nullptr && hashed[i].bytes == fs.size) {
      options.stat_cache->Record(e.path, fs, e.content, scan_started_ns);
    }
  }
  std::sort(manifest.entries.begin(), manifest.entries.end(),
            [](const ContextEntry& a, const ContextEntry& b) { return a.path < b.path; });
  AssignHardlinkGroups(walker.inodes(), &manifest.entries);
  return manifest;
}

}  // namespace strata::cli::context
