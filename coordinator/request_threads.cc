#include "coordinator/request_threads.h"

#include <utility>

#include "common/thread_top.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

RequestThreads::~RequestThreads() {
  for (Running& t : threads_) t.thread.join();
}

void RequestThreads::Start(const std::string& what, const std::string& peer, uint64_t request_id,
                           std::function<void()> body) {
  ReapFinished();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  ++running_;
  threads_.push_back(
      {finished, std::thread([this, what, peer, request_id, finished, body = std::move(body)] {
         Status crashed = CatchAtThreadTop(what, body);
         if (!crashed.ok()) {
           outbox_.Send(Endpoint::kClient, peer, protocol::ErrorReply(request_id, crashed));
         }
         --running_;
         *finished = true;
       })});
}

void RequestThreads::ReapFinished() {
  std::erase_if(threads_, [](Running& t) {
    if (!*t.finished) return false;
    t.thread.join();
    return true;
  });
}

}  // namespace strata::coordinator
