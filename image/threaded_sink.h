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

// Hands the bytes to one thread per downstream sink, so the producer (the
// tar writer) and each consumer (a hasher, a compressor) use their own core.
// Every downstream sees the whole stream, in order, in Writes of exactly its
// `piece_size` bytes (the last one shorter): a compressor whose output
// depends on how its input is cut gives the same bytes whatever the
// producer's Write sizes. The producer copies its bytes once into chunks of
// `chunk_size`; the downstreams share those chunks (no copy per downstream)
// and get each piece as soon as it is filled, so a small piece keeps the
// hand-over in cache.
//
// Memory is bounded: Write blocks while any downstream has `max_chunks`
// chunks' worth of bytes queued, so about max_chunks + 2 chunks are alive
// at once, and they are reused rather than reallocated.
//
// Errors: the first error of any downstream stops every downstream and is
// returned by the next Write and by Close. Close() hands over the last
// partial pieces, waits for every thread, then closes the downstreams in the
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

  struct Downstream {
    ByteSink* sink;
    // 0 means chunk_size. REQUIRES: divides chunk_size.
    size_t piece_size = 0;
  };

  // One downstream that gets pieces of chunk_size.
  explicit ThreadedSink(ByteSink* downstream, size_t chunk_size = kDefaultChunkSize,
                        size_t max_chunks = kDefaultMaxChunks);
  // REQUIRES: downstreams is not empty and holds no null sink.
  explicit ThreadedSink(std::vector<Downstream> downstreams, size_t chunk_size = kDefaultChunkSize,
                        size_t max_chunks = kDefaultMaxChunks);
  ~ThreadedSink() override;
  ThreadedSink(const ThreadedSink&) = delete;
  ThreadedSink& operator=(const ThreadedSink&) = delete;

  using ByteSink::Write;
  Status Write(const void* data, size_t size) override;
  Status Close() override;

 private:
  struct Chunk;
  struct Piece;
  struct Branch;

  void Run(Branch* branch);
  // Queues the filled bytes of the current chunk for every downstream whose
  // piece is complete, or all of them when `flush`; moves to a new chunk
  // when this one is full. Blocks while a queue is full.
  Status Publish(bool flush);
  size_t NextPublish() const;  // the fill level at which a piece completes
  Chunk* TakeFreeChunk();      // REQUIRES: mu_ held
  void Release(Chunk* chunk);  // REQUIRES: mu_ held
  void Fail(Status status);    // REQUIRES: mu_ held
  void Stop();

  size_t chunk_size_;
  size_t max_queued_bytes_;   // per downstream
  Chunk* current_ = nullptr;  // being filled by the producer; owned by chunks_
  size_t next_publish_ = 0;   // NextPublish() of the current chunk
  bool closed_ = false;

  std::mutex mu_;
  std::condition_variable room_;                // a queue got shorter, or stop
  std::vector<std::unique_ptr<Chunk>> chunks_;  // every chunk ever made; GUARDED_BY(mu_)
  std::vector<Chunk*> free_;                    // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<Branch>> branches_;
  bool done_ = false;  // no more pieces will come; GUARDED_BY(mu_)
  Status error_;       // GUARDED_BY(mu_)
};

}  // namespace strata::image
