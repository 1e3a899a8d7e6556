#include "image/threaded_sink.h"

#include <algorithm>
#include <cstring>

namespace strata::image {

struct ThreadedSink::Chunk {
  std::unique_ptr<char[]> data;
  size_t size = 0;
  size_t pending = 0;  // downstreams that have yet to write it; GUARDED_BY(mu_)
};

struct ThreadedSink::Branch {
  ByteSink* sink;
  std::deque<Chunk*> queue;  // GUARDED_BY(mu_)
  std::thread thread;
};

ThreadedSink::ThreadedSink(ByteSink* downstream, size_t chunk_size, size_t max_chunks)
    : ThreadedSink(std::vector<ByteSink*>{downstream}, chunk_size, max_chunks) {}

ThreadedSink::ThreadedSink(std::vector<ByteSink*> downstreams, size_t chunk_size, size_t max_chunks)
    : chunk_size_(std::max<size_t>(chunk_size, 1)), max_chunks_(std::max<size_t>(max_chunks, 1)) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = TakeFreeChunk();
  }
  for (ByteSink* sink : downstreams) {
    branches_.push_back(std::make_unique<Branch>());
    branches_.back()->sink = sink;
  }
  for (auto& branch : branches_) {
    branch->thread = std::thread([this, b = branch.get()] { Run(b); });
  }
}

ThreadedSink::~ThreadedSink() {
  if (!closed_) Stop();
}

ThreadedSink::Chunk* ThreadedSink::TakeFreeChunk() {
  if (free_.empty()) {
    chunks_.push_back(std::make_unique<Chunk>());
    chunks_.back()->data = std::make_unique_for_overwrite<char[]>(chunk_size_);
    free_.push_back(chunks_.back().get());
  }
  Chunk* chunk = free_.back();
  free_.pop_back();
  chunk->size = 0;
  return chunk;
}

void ThreadedSink::Fail(Status status) {
  if (error_.ok()) error_ = std::move(status);
  done_ = true;
  for (auto& branch : branches_) {
    for (Chunk* chunk : branch->queue) {
      if (--chunk->pending == 0) free_.push_back(chunk);
    }
    branch->queue.clear();
  }
}

void ThreadedSink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Fail(Status::Cancelled("threaded sink destroyed before Close"));
  }
  cv_.notify_all();
  for (auto& branch : branches_) branch->thread.join();
}

void ThreadedSink::Run(Branch* branch) {
  while (true) {
    Chunk* chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !branch->queue.empty() || done_; });
      if (branch->queue.empty()) return;
      chunk = branch->queue.front();
      branch->queue.pop_front();
    }
    cv_.notify_all();  // the producer may wait for room in this queue
    Status s = branch->sink->Write(chunk->data.get(), chunk->size);
    std::lock_guard<std::mutex> lock(mu_);
    if (--chunk->pending == 0) free_.push_back(chunk);
    if (!s.ok()) {
      Fail(std::move(s));
      cv_.notify_all();
      return;
    }
  }
}

Status ThreadedSink::PushCurrent() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] {
    if (!error_.ok()) return true;
    for (const auto& branch : branches_) {
      if (branch->queue.size() >= max_chunks_) return false;
    }
    return true;
  });
  if (!error_.ok()) return error_;
  current_->pending = branches_.size();
  for (auto& branch : branches_) branch->queue.push_back(current_);
  current_ = TakeFreeChunk();
  lock.unlock();
  cv_.notify_all();
  return Status::OK();
}

Status ThreadedSink::Write(const void* data, size_t size) {
  if (closed_) return Status::Internal("write to a closed threaded sink");
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    size_t n = std::min(size, chunk_size_ - current_->size);
    std::memcpy(current_->data.get() + current_->size, p, n);
    current_->size += n;
    p += n;
    size -= n;
    if (current_->size == chunk_size_) TRY(PushCurrent());
  }
  return Status::OK();
}

Status ThreadedSink::Close() {
  if (closed_) {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  closed_ = true;
  Status pushed = current_->size == 0 ? Status::OK() : PushCurrent();
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  for (auto& branch : branches_) branch->thread.join();
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.ok() && !pushed.ok()) error_ = pushed;
  if (!error_.ok()) return error_;
  for (auto& branch : branches_) {
    Status s = branch->sink->Close();
    if (error_.ok() && !s.ok()) error_ = s;
  }
  return error_;
}

}  // namespace strata::image
