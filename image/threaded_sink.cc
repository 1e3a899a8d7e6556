#include "image/threaded_sink.h"

#include <algorithm>

namespace strata::image {

ThreadedSink::ThreadedSink(ByteSink* downstream, size_t chunk_size, size_t max_chunks)
    : downstream_(downstream), chunk_size_(chunk_size), max_chunks_(max_chunks) {
  current_.reserve(chunk_size_);
  thread_ = std::thread([this] { Run(); });
}

ThreadedSink::~ThreadedSink() {
  if (!closed_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      queue_.clear();
      if (error_.ok()) error_ = Status::Cancelled("threaded sink destroyed before Close");
    }
    cv_.notify_all();
    thread_.join();
  }
}

void ThreadedSink::Run() {
  while (true) {
    std::string chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || done_; });
      if (queue_.empty()) break;
      chunk = std::move(queue_.front());
      queue_.pop_front();
    }
    cv_.notify_all();
    Status s = downstream_->Write(chunk.data(), chunk.size());
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.ok()) error_ = s;
      queue_.clear();
      done_ = true;
      cv_.notify_all();
      return;
    }
  }
}

Status ThreadedSink::Error() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

Status ThreadedSink::PushCurrent() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return queue_.size() < max_chunks_ || !error_.ok(); });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(current_));
  lock.unlock();
  cv_.notify_all();
  current_ = std::string();
  current_.reserve(chunk_size_);
  return Status::OK();
}

Status ThreadedSink::Write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    size_t n = std::min(size, chunk_size_ - current_.size());
    current_.append(p, n);
    p += n;
    size -= n;
    if (current_.size() == chunk_size_) TRY(PushCurrent());
  }
  return Status::OK();
}

Status ThreadedSink::Close() {
  if (closed_) return Error();
  closed_ = true;
  Status pushed = current_.empty() ? Status::OK() : PushCurrent();
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  TRY(Error());
  TRY(pushed);
  return downstream_->Close();
}

}  // namespace strata::image
