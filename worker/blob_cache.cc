#include "worker/blob_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/logging.h"
#include "common/random_hex.h"

namespace strata::worker {
namespace {

bool IsFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

Status ConnectionBlobFetcher::Fetch(const Digest& digest,
                                    const std::function<Status(std::string_view)>& write) {
  // One BlobGet is answered with at most a window of the blob (the
  // coordinator's flow control); each next one starts where the last ended.
  uint64_t id = 0;
  uint64_t offset = 0;
  auto ask = [&]() -> Status {
    id = connection_->NextRequestId();
    protocol::Envelope request = protocol::NewEnvelope(id);
    request.mutable_blob_get()->set_digest(digest.ToString());
    request.mutable_blob_get()->set_offset(offset);
    return connection_->Send(request);
  };
  TRY(ask());
  uint64_t asked_at = offset;
  while (true) {
    Result<protocol::Envelope> reply = connection_->Receive(timeout_);
    if (!reply.ok()) {
      return Status(reply.status().code(), "fetching blob " + digest.ToString() +
                                               " from the coordinator: " + reply.status().message())
          .WithRetryable(true);
    }
    if (reply->request_id() != id) continue;  // a late reply to an earlier request
    if (reply->has_error()) return protocol::StatusFromError(reply->error());
    if (!reply->has_blob_put()) {
      return Status::Internal("coordinator answered BlobGet " + digest.ToString() + " with " +
                              protocol::BodyName(*reply));
    }
    const v1::BlobPut& chunk = reply->blob_put();
    if (chunk.offset() != offset) {
      return Status::Corruption("blob " + digest.ToString() + ": chunk at offset " +
                                std::to_string(chunk.offset()) + ", expected " +
                                std::to_string(offset));
    }
    TRY(write(chunk.data()));
    offset += chunk.data().size();
    if (!chunk.last()) continue;
    if (offset >= chunk.total_size()) return Status::OK();
    if (offset == asked_at) {
      return Status::Corruption("blob " + digest.ToString() + ": the coordinator answered at " +
                                std::to_string(offset) + " of " +
                                std::to_string(chunk.total_size()) + " bytes with no data");
    }
    TRY(ask());
    asked_at = offset;
  }
}

Result<std::unique_ptr<BlobCache>> BlobCache::Open(std::string cache_dir, std::string shared_dir) {
  if (cache_dir.empty() || cache_dir.front() != '/') {
    return Status::InvalidArgument("blob cache directory '" + cache_dir + "' is not absolute");
  }
  TRY(MakeDirs(cache_dir + "/sha256", 0755));
  TRY(RemoveTree(cache_dir + "/tmp"));
  TRY(MakeDirs(cache_dir + "/tmp", 0755));
  return std::unique_ptr<BlobCache>(new BlobCache(std::move(cache_dir), std::move(shared_dir)));
}

std::string BlobCache::CachePath(const Digest& digest) const {
  return cache_dir_ + "/" + digest.algorithm() + "/" + digest.hex();
}

bool BlobCache::InSharedDir(const Digest& digest) const {
  return !shared_dir_.empty() &&
         IsFile(shared_dir_ + "/" + digest.algorithm() + "/" + digest.hex());
}

std::optional<std::string> BlobCache::FindLocal(const Digest& digest) const {
  if (InSharedDir(digest)) return shared_dir_ + "/" + digest.algorithm() + "/" + digest.hex();
  std::string cached = CachePath(digest);
  if (IsFile(cached)) return cached;
  return std::nullopt;
}

Result<std::string> BlobCache::Get(const Digest& digest, BlobFetcher& fetcher) {
  if (digest.algorithm() != "sha256") {
    return Status::InvalidArgument("blob " + digest.ToString() + ": only sha256 is supported");
  }
  if (std::optional<std::string> local = FindLocal(digest)) return *local;

  std::string temp = cache_dir_ + "/tmp/" + digest.hex() + "-" + RandomHex(8);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", temp);
  Sha256Hasher hasher;
  Status fetched = fetcher.Fetch(digest, [&](std::string_view data) {
    hasher.Update(data);
    return WriteAll(fd, data, temp);
  });
  if (fetched.ok() && ::fdatasync(fd) != 0) fetched = ErrnoStatus("fdatasync", temp);
  if (::close(fd) != 0 && fetched.ok()) fetched = ErrnoStatus("close", temp);
  if (fetched.ok()) {
    Digest got = hasher.Finish();
    if (got != digest) {
      fetched =
          Status::Corruption("blob " + digest.ToString() +
                             " fetched from the coordinator has digest " + got.ToString() + " (" +
                             std::to_string(hasher.size()) + " bytes); the store's copy is damaged")
              .WithRetryable(true);
    }
  }
  if (fetched.ok() && ::rename(temp.c_str(), CachePath(digest).c_str()) != 0) {
    fetched = ErrnoStatus("rename", temp);
  }
  if (!fetched.ok()) {
    ::unlink(temp.c_str());
    return fetched;
  }
  LOG(DEBUG) << "blob cache: fetched " << digest.ToString() << " (" << hasher.size() << " bytes)";
  return CachePath(digest);
}

Result<std::vector<BlobCache::Cached>> BlobCache::ListCached() const {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(cache_dir_ + "/sha256"));
  std::vector<Cached> out;
  for (const std::string& name : names) {
    Result<Digest> digest = Digest::Parse("sha256:" + name);
    if (!digest.ok()) continue;
    Result<uint64_t> bytes = CachedBytes(*digest);
    if (bytes.ok()) out.push_back({*digest, *bytes});
  }
  return out;
}

Result<uint64_t> BlobCache::CachedBytes(const Digest& digest) const {
  struct stat st;
  if (::stat(CachePath(digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound("blob cache: no " + digest.ToString());
  }
  return static_cast<uint64_t>(st.st_size);
}

Status BlobCache::Remove(const Digest& digest) {
  const std::string path = CachePath(digest);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path);
  return Status::OK();
}

Status BlobCache::Adopt(const Digest& digest, const std::string& path) {
  if (::rename(path.c_str(), CachePath(digest).c_str()) != 0) return ErrnoStatus("rename", path);
  return Status::OK();
}

}  // namespace strata::worker
