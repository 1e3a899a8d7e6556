#include "image/threaded_sink.h"

#include <algorithm>
#include <cstring>

#include "common/thread_top.h"

namespace strata::image {

struct ThreadedSink::Chunk {
  std::unique_ptr<char[]> data;
  size_t size = 0;  // bytes filled; written by the producer only
  size_t refs = 0;  // the producer's while current, plus one per piece; GUARDED_BY(mu_)
};

struct ThreadedSink::Piece {
  Chunk* chunk;
  size_t offset;
  size_t size;
};

struct ThreadedSink::Branch {
  ByteSink* sink;
  size_t piece_size;
  size_t published = 0;           // bytes of the current chunk queued here; producer only
  std::deque<Piece> queue;        // GUARDED_BY(mu_)
  size_t queued_bytes = 0;        // GUARDED_BY(mu_)
  std::condition_variable ready;  // a piece was queued, or stop
  std::thread thread;
};

ThreadedSink::ThreadedSink(ByteSink* downstream, size_t chunk_size, size_t max_chunks)
    : ThreadedSink(std::vector<Downstream>{{downstream, 0}}, chunk_size, max_chunks) {}

ThreadedSink::ThreadedSink(std::vector<Downstream> downstreams, size_t chunk_size,
                           size_t max_chunks)
    : chunk_size_(std::max<size_t>(chunk_size, 1)),
      max_queued_bytes_(std::max<size_t>(max_chunks, 1) * chunk_size_) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = TakeFreeChunk();
  }
  for (const Downstream& d : downstreams) {
    branches_.push_back(std::make_unique<Branch>());
    branches_.back()->sink = d.sink;
    size_t piece = d.piece_size == 0 ? chunk_size_ : std::min(d.piece_size, chunk_size_);
    if (chunk_size_ % piece != 0) piece = chunk_size_;  // REQUIRES violated: stay correct
    branches_.back()->piece_size = piece;
  }
  next_publish_ = NextPublish();
  for (auto& branch : branches_) {
    branch->thread = std::thread([this, b = branch.get()] { Run(b); });
  }
}

ThreadedSink::~ThreadedSink() {
  if (!closed_) Stop();
}

size_t ThreadedSink::NextPublish() const {
  size_t next = chunk_size_;
  for (const auto& branch : branches_) {
    next = std::min(next, branch->published + branch->piece_size);
  }
  return next;
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
  chunk->refs = 1;
  return chunk;
}

void ThreadedSink::Release(Chunk* chunk) {
  if (--chunk->refs == 0) free_.push_back(chunk);
}

void ThreadedSink::Fail(Status status) {
  if (error_.ok()) error_ = std::move(status);
  done_ = true;
  for (auto& branch : branches_) {
    for (const Piece& piece : branch->queue) Release(piece.chunk);
    branch->queue.clear();
    branch->queued_bytes = 0;
    branch->ready.notify_all();
  }
  room_.notify_all();
}

void ThreadedSink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Fail(Status::Cancelled("threaded sink destroyed before Close"));
  }
  for (auto& branch : branches_) branch->thread.join();
}

void ThreadedSink::Run(Branch* branch) {
  while (true) {
    Piece piece;
    {
      std::unique_lock<std::mutex> lock(mu_);
      branch->ready.wait(lock, [&] { return !branch->queue.empty() || done_; });
      if (branch->queue.empty()) return;
      piece = branch->queue.front();
      branch->queue.pop_front();
      branch->queued_bytes -= piece.size;
    }
    room_.notify_one();  // the producer may wait for room in this queue
    Status s = CatchAtThreadTopOr<Status>("layer stream", [&] {
      return branch->sink->Write(piece.chunk->data.get() + piece.offset, piece.size);
    });
    std::lock_guard<std::mutex> lock(mu_);
    Release(piece.chunk);
    if (!s.ok()) {
      Fail(std::move(s));
      return;
    }
  }
}

Status ThreadedSink::Publish(bool flush) {
  std::unique_lock<std::mutex> lock(mu_);
  room_.wait(lock, [this] {
    if (!error_.ok()) return true;
    for (const auto& branch : branches_) {
      if (branch->queued_bytes >= max_queued_bytes_) return false;
    }
    return true;
  });
  if (!error_.ok()) return error_;
  size_t filled = current_->size;
  for (auto& branch : branches_) {
    size_t end = flush ? filled : filled - (filled - branch->published) % branch->piece_size;
    if (branch->published == end) continue;
    while (branch->published < end) {
      size_t n = std::min(branch->piece_size, end - branch->published);
      branch->queue.push_back({current_, branch->published, n});
      ++current_->refs;
      branch->queued_bytes += n;
      branch->published += n;
    }
    branch->ready.notify_one();
  }
  if (filled == chunk_size_) {
    Release(current_);
    current_ = TakeFreeChunk();
    for (auto& branch : branches_) branch->published = 0;
  }
  next_publish_ = NextPublish();
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
    if (current_->size >= next_publish_) TRY(Publish(/*flush=*/false));
  }
  return Status::OK();
}

Status ThreadedSink::Close() {
  if (closed_) {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  closed_ = true;
  Status published = Publish(/*flush=*/true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    for (auto& branch : branches_) branch->ready.notify_all();
  }
  for (auto& branch : branches_) branch->thread.join();
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.ok() && !published.ok()) error_ = published;
  if (!error_.ok()) return error_;
  for (auto& branch : branches_) {
    Status s = branch->sink->Close();
    if (error_.ok() && !s.ok()) error_ = s;
  }
  return error_;
}

}  // namespace strata::image
