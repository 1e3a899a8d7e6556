#include "image/byte_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata::image {

Result<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<FileSink>(new FileSink(fd, path));
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSink::Write(const void* data, size_t size) {
  if (fd_ < 0) return Status::Internal("write to closed file sink " + path_);
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot write " + path_ + ": " + std::strerror(errno));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::OK();
}

Status FileSink::Close() {
  if (fd_ < 0) return Status::OK();
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Status::IOError("cannot close " + path_ + ": " + std::strerror(errno));
  return Status::OK();
}

Status StringSink::Write(const void* data, size_t size) {
  if (closed_) return Status::Internal("write to closed string sink");
  data_.append(static_cast<const char*>(data), size);
  return Status::OK();
}

Status StringSink::Close() {
  closed_ = true;
  return Status::OK();
}

Status HashingSink::Write(const void* data, size_t size) {
  hasher_.Update(data, size);
  return next_->Write(data, size);
}

Status HashingSink::Close() { return close_next_ ? next_->Close() : Status::OK(); }

}  // namespace strata::image
