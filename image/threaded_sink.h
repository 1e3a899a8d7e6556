#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "image/byte_sink.h"

namespace strata::image {

// Hands the bytes, in chunks, to one thread per downstream sink, so the
// producer (the tar writer) and each consumer (a hasher, a compressor) use
// their own core. Every downstream sees the whole stream in order; the
// chunks are shared between the downstreams, not copied for each (the one
// copy is the producer's, out of its caller's buffer).
//
// Memory is bounded: Write blocks while any downstream is `max_chunks`
// chunks behind, so at most max_chunks + 2 chunks of `chunk_size` bytes are
// alive at once, and they are reused rather than reallocated.
//
// Errors: the first error of any downstream stops every downstream and is
// returned by the next Write and by Close. Close() hands over the last
// partial chunk, waits for every thread, then closes the downstreams in the
// order given (on the calling thread), unless one of them failed. Destroyed
// unclosed, the sink drops what is queued, stops its threads and closes no
// downstream.
//
// Thread-safety: one producer thread calls Write and Close. A downstream is
// only ever called from one thread at a time. Does not own the downstreams.
class ThreadedSink : public ByteSink {
 public:
  static constexpr size_t kDefaultChunkSize = 1 << 20;
  static constexpr size_t kDefaultMaxChunks = 8;

  explicit ThreadedSink(ByteSink* downstream, size_t chunk_size = kDefaultChunkSize,
                        size_t max_chunks = kDefaultMaxChunks);
  // REQUIRES: downstreams is not empty and holds no null.
  explicit ThreadedSink(std::vector<ByteSink*> downstreams, size_t chunk_size = kDefaultChunkSize,
                        size_t max_chunks = kDefaultMaxChunks);
  ~ThreadedSink() override;
  ThreadedSink(const ThreadedSink&) = delete;
  ThreadedSink& operator=(const ThreadedSink&) = delete;

  using ByteSink::Write;
  Status Write(const void* data, size_t size) override;
  Status Close() override;

 private:
  struct Chunk;
  struct Branch;

  void Run(Branch* branch);
  Status PushCurrent();
  Chunk* TakeFreeChunk();    // REQUIRES: mu_ held
  void Fail(Status status);  // REQUIRES: mu_ held
  void Stop();

  size_t chunk_size_;
  size_t max_chunks_;
  Chunk* current_ = nullptr;  // filled by the producer, owned by chunks_
  bool closed_ = false;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Chunk>> chunks_;  // every chunk ever made; GUARDED_BY(mu_)
  std::vector<Chunk*> free_;                    // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<Branch>> branches_;
  bool done_ = false;  // no more chunks will come; GUARDED_BY(mu_)
  Status error_;       // GUARDED_BY(mu_)
};

}  // namespace strata::image
