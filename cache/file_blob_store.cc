#include "cache/file_blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "common/logging.h"

namespace strata::cache {

namespace {

constexpr size_t kChunk = 1 << 16;

Status PosixError(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(msg);
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(msg + " (check the owner and mode of the store)");
    case ENOSPC:
    case EDQUOT:
      return Status::IOError(msg + " (free disk space or run `strata system prune`)");
    default:
      return Status::IOError(msg);
  }
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("write " + path, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<size_t> ReadSome(int fd, void* buf, size_t n, const std::string& path) {
  while (true) {
    ssize_t got = ::read(fd, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return PosixError("read " + path, errno);
  }
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open directory " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return PosixError("fsync directory " + dir, err);
  return Status::OK();
}

class FileBlobReader : public BlobReader {
 public:
  FileBlobReader(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileBlobReader() override { ::close(fd_); }
  Result<size_t> Read(void* buf, size_t n) override { return ReadSome(fd_, buf, n, path_); }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

}  // namespace

// Streams into a file in tmp/ and publishes it on Commit. Also used by PutFile
// once the content is in the temporary file.
class FileBlobWriter : public BlobWriter {
 public:
  // `sync`: fsync the file and the directory at Commit (else the caller
  // syncs later, see BlobStore::CreateDeferred).
  FileBlobWriter(FileBlobStore* store, int fd, std::string temp_path, bool sync = true)
      : store_(store), fd_(fd), temp_path_(std::move(temp_path)), sync_(sync) {}
  ~FileBlobWriter() override { Discard(); }

  Status Write(const void* data, size_t size) override {
    if (fd_ < 0) return Status::Internal("write to a finished blob writer " + temp_path_);
    Status s = WriteAll(fd_, static_cast<const char*>(data), size, temp_path_);
    if (!s.ok()) {
      Discard();
      return s;
    }
    hasher_.Update(data, size);
    return Status::OK();
  }

  Result<Digest> Commit(std::optional<Digest> expected) override {
    if (fd_ < 0) return Status::Internal("commit of a finished blob writer " + temp_path_);
    return Publish(hasher_.Finish(), std::move(expected));
  }

  // Makes the temporary file the blob `actual`: fsync, verify, rename, fsync
  // the directory. Whatever happens, the writer is finished afterwards.
  Result<Digest> Publish(Digest actual, std::optional<Digest> expected) {
    if (expected && *expected != actual) {
      Discard();
      return Status::Corruption("blob content is " + actual.ToString() + " but " +
                                expected->ToString() +
                                " was expected; the source sent different bytes, retry the "
                                "transfer");
    }
    if (::fchmod(fd_, 0444) != 0 || (sync_ && ::fsync(fd_) != 0)) {
      Status s = PosixError("fsync " + temp_path_, errno);
      Discard();
      return s;
    }
    ::close(fd_);
    fd_ = -1;
    std::string final_path = store_->BlobPath(actual);
    if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
      Status s = PosixError("rename " + temp_path_ + " to " + final_path, errno);
      Discard();
      return s;
    }
    temp_path_.clear();
    if (sync_) TRY(FsyncDir(store_->root() + "/blobs/sha256"));
    return actual;
  }

  int fd() const { return fd_; }

 private:
  void Discard() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }

  FileBlobStore* store_;
  int fd_;
  std::string temp_path_;
  Sha256Hasher hasher_;
  bool sync_ = true;
};

Result<std::unique_ptr<FileBlobStore>> FileBlobStore::Open(const std::string& root) {
  std::error_code ec;
  for (const char* sub : {"/blobs/sha256", "/tmp"}) {
    std::filesystem::create_directories(root + sub, ec);
    if (ec) {
      return Status::IOError("create blob store directory " + root + sub + ": " + ec.message());
    }
  }
  size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/tmp", ec)) {
    std::error_code rm_ec;
    std::filesystem::remove_all(entry.path(), rm_ec);
    if (rm_ec) {
      return Status::IOError("remove stale temporary blob " + entry.path().string() + ": " +
                             rm_ec.message());
    }
    ++removed;
  }
  if (ec) return Status::IOError("list " + root + "/tmp: " + ec.message());
  if (removed > 0) {
    LOG(INFO) << "blob store " << root << ": removed " << removed << " stale temporary file(s)";
  }
  return std::unique_ptr<FileBlobStore>(new FileBlobStore(root));
}

std::string FileBlobStore::BlobPath(const Digest& digest) const {
  return root_ + "/blobs/" + digest.algorithm() + "/" + digest.hex();
}

Status FileBlobStore::CheckDigest(const Digest& digest) const {
  if (digest.algorithm() != "sha256" || digest.hex().size() != 64 || !IsLowerHex(digest.hex())) {
    return Status::InvalidArgument("blob store holds only sha256 digests, got \"" +
                                   digest.ToString() + "\"");
  }
  return Status::OK();
}

Result<bool> FileBlobStore::Has(const Digest& digest) {
  TRY(CheckDigest(digest));
  struct stat st;
  if (::stat(BlobPath(digest).c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return PosixError("stat " + BlobPath(digest), errno);
}

Result<uint64_t> FileBlobStore::Size(const Digest& digest) {
  TRY(CheckDigest(digest));
  struct stat st;
  if (::stat(BlobPath(digest).c_str(), &st) != 0) {
    return PosixError("blob " + digest.ToString() + " (" + BlobPath(digest) + ")", errno);
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<std::unique_ptr<BlobReader>> FileBlobStore::Open(const Digest& digest) {
  TRY(CheckDigest(digest));
  std::string path = BlobPath(digest);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("blob " + digest.ToString() + " (" + path + ")", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = PosixError("stat " + path, errno);
    ::close(fd);
    return s;
  }
  return std::unique_ptr<BlobReader>(
      new FileBlobReader(fd, static_cast<uint64_t>(st.st_size), std::move(path)));
}

Result<std::pair<int, std::string>> FileBlobStore::CreateTemp() {
  while (true) {
    std::string path = root_ + "/tmp/" + std::to_string(::getpid()) + "-" +
                       std::to_string(next_temp_.fetch_add(1));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return std::make_pair(fd, path);
    if (errno != EEXIST) return PosixError("create temporary blob " + path, errno);
  }
}

Result<std::unique_ptr<BlobWriter>> FileBlobStore::Create() {
  ASSIGN_OR_RETURN(auto temp, CreateTemp());
  return std::unique_ptr<BlobWriter>(new FileBlobWriter(this, temp.first, temp.second));
}

Result<std::unique_ptr<BlobWriter>> FileBlobStore::CreateDeferred() {
  ASSIGN_OR_RETURN(auto temp, CreateTemp());
  return std::unique_ptr<BlobWriter>(new FileBlobWriter(this, temp.first, temp.second, false));
}

Status FileBlobStore::Sync() {
  int fd = ::open((root_ + "/blobs/sha256").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return PosixError("open " + root_ + "/blobs/sha256", errno);
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return PosixError("syncfs " + root_, err);
  return Status::OK();
}

Result<Digest> FileBlobStore::PutFile(const std::string& path, std::optional<Digest> expected) {
  int src = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) return PosixError("open " + path, errno);
  auto temp = CreateTemp();
  if (!temp.ok()) {
    ::close(src);
    return temp.status();
  }
  FileBlobWriter writer(this, temp->first, temp->second);
  // A reflink shares the extents (no copy) where the file system can; the
  // digest is then taken from the copy, so a later change to `path` cannot
  // slip past the check.
  bool cloned = ::ioctl(writer.fd(), FICLONE, src) == 0;
  ::close(src);
  if (cloned) {
    int rd = ::open(temp->second.c_str(), O_RDONLY | O_CLOEXEC);
    if (rd < 0) return PosixError("reopen " + temp->second, errno);
    Sha256Hasher hasher;
    char buf[kChunk];
    while (true) {
      auto n = ReadSome(rd, buf, sizeof buf, temp->second);
      if (!n.ok()) {
        ::close(rd);
        return n.status();
      }
      if (*n == 0) break;
      hasher.Update(buf, *n);
    }
    ::close(rd);
    return writer.Publish(hasher.Finish(), std::move(expected));
  }
  src = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) return PosixError("open " + path, errno);
  char buf[kChunk];
  while (true) {
    auto n = ReadSome(src, buf, sizeof buf, path);
    if (!n.ok()) {
      ::close(src);
      return n.status();
    }
    if (*n == 0) break;
    Status s = writer.Write(buf, *n);
    if (!s.ok()) {
      ::close(src);
      return s;
    }
  }
  ::close(src);
  return writer.Commit(std::move(expected));
}

Result<Digest> FileBlobStore::AdoptFile(const std::string& path, const Digest& digest) {
  if (Status s = CheckDigest(digest); !s.ok()) {
    ::unlink(path.c_str());
    return s;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open " + path, errno);
  // The writer publishes (chmod, fsync, rename, fsync of the directory) and
  // removes the file when any of that fails.
  FileBlobWriter writer(this, fd, path);
  return writer.Publish(digest, digest);
}

Status FileBlobStore::Delete(const Digest& digest) {
  TRY(CheckDigest(digest));
  std::string path = BlobPath(digest);
  if (::unlink(path.c_str()) != 0) return PosixError("delete blob " + path, errno);
  return Status::OK();
}

Result<std::vector<Digest>> FileBlobStore::List() {
  std::string dir = root_ + "/blobs/sha256";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return PosixError("list " + dir, errno);
  std::vector<Digest> out;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (name.size() != 64 || !IsLowerHex(name)) {
      LOG(WARN) << "blob store: ignoring " << dir << "/" << name << " (not a sha256 digest)";
      continue;
    }
    out.push_back(Digest::Sha256FromHex(std::string(name)));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace strata::cache
