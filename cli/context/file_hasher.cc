#include "cli/context/file_hasher.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

namespace strata::cli::context {
namespace {

constexpr size_t kBufferBytes = 1 << 20;
// Below this many files a second thread costs more than it saves.
constexpr size_t kMinJobsPerThread = 8;

Status ReadError(const HashJob& job, const char* op, int err) {
  std::string msg = "cannot " + std::string(op) + " build context file \"" + job.display_path +
                    "\" (" + job.host_path + "): " + std::strerror(err) +
                    "; make it readable or exclude it in .dockerignore";
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(std::move(msg));
  return Status::IOError(std::move(msg));
}

Status HashOne(const HashJob& job, char* buffer, HashOutput* out) {
  int fd = ::open(job.host_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return ReadError(job, "open", errno);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Sha256Hasher hasher;
  while (true) {
    ssize_t n = ::read(fd, buffer, kBufferBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ReadError(job, "read", err);
    }
    if (n == 0) break;
    hasher.Update(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  out->bytes = hasher.size();
  out->content = hasher.Finish();
  return Status::OK();
}

}  // namespace

Result<std::vector<HashOutput>> HashFiles(const std::vector<HashJob>& jobs, int threads) {
  std::vector<HashOutput> outputs(jobs.size());
  std::vector<Status> statuses(jobs.size());
  std::atomic<size_t> next{0};
  // Set on the first failure: jobs are claimed in order, so every job before
  // a failed one was claimed before it and is finished, and the lowest failure is
  // still found.
  std::atomic<bool> failed{false};
  auto work = [&] {
    std::unique_ptr<char[]> buffer(new char[kBufferBytes]);
    while (!failed) {
      size_t i = next++;  // once claimed, always hashed
      if (i >= jobs.size()) break;
      statuses[i] = HashOne(jobs[i], buffer.get(), &outputs[i]);
      if (!statuses[i].ok()) failed = true;
    }
  };
  size_t useful = jobs.size() / kMinJobsPerThread;
  size_t extra = threads > 1 ? std::min<size_t>(static_cast<size_t>(threads) - 1, useful) : 0;
  std::vector<std::thread> helpers;
  for (size_t t = 0; t < extra; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  for (const Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return outputs;
}

}  // namespace strata::cli::context
