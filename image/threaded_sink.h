#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "image/byte_sink.h"

namespace strata::image {

// Hands the bytes to a second thread that writes them into `downstream`, so
// the producer (tar writer) and the consumer (compressor) each use a core.
// Buffers up to `max_chunks` chunks of `chunk_size` bytes; Write blocks when
// they are full. The first error of `downstream` is returned by the next
// Write or by Close. Close() drains, closes `downstream` and joins.
// One producer thread. Does not own `downstream`.
class ThreadedSink : public ByteSink {
 public:
  ThreadedSink(ByteSink* downstream, size_t chunk_size = 1 << 20, size_t max_chunks = 8);
  ~ThreadedSink() override;
  Status Write(const void* data, size_t size) override;
  Status Close() override;

 private:
  void Run();
  Status PushCurrent();
  Status Error();

  ByteSink* downstream_;
  size_t chunk_size_;
  size_t max_chunks_;
  std::string current_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  bool done_ = false;              // GUARDED_BY(mu_)
  Status error_;                   // GUARDED_BY(mu_)
  bool closed_ = false;
  std::thread thread_;
};

}  // namespace strata::image
