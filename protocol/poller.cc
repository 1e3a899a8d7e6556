#include "protocol/poller.h"

#include <sys/eventfd.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "protocol/socket.h"

namespace strata::protocol {

Result<std::unique_ptr<Waker>> Waker::Create() {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Status::IOError(std::string("cannot create an eventfd: ") + strerror(errno));
  return std::unique_ptr<Waker>(new Waker(fd));
}

Waker::~Waker() { close(fd_); }

void Waker::Wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is saturated: a wake is pending anyway.
  while (write(fd_, &one, sizeof(one)) < 0 && errno == EINTR) {
  }
}

void Waker::Drain() {
  uint64_t count;
  while (read(fd_, &count, sizeof(count)) < 0 && errno == EINTR) {
  }
}

Result<Poller::Ready> Poller::Wait(std::chrono::milliseconds timeout) {
  std::vector<zmq_pollitem_t> items;
  items.reserve(listeners_.size() + 1);
  for (Listener* listener : listeners_) {
    items.push_back({listener->socket_->native_handle(), 0, ZMQ_POLLIN, 0});
  }
  if (waker_ != nullptr) items.push_back({nullptr, waker_->fd_, ZMQ_POLLIN, 0});
  Ready ready;
  int n =
      zmq_poll(items.data(), static_cast<int>(items.size()), static_cast<long>(timeout.count()));
  if (n < 0) {
    if (errno == EINTR) return ready;
    if (errno == ETERM) {
      return Status::Cancelled("polling the listeners: the protocol Context is shutting down");
    }
    return Status::IOError(std::string("polling the listeners: ") + zmq_strerror(errno));
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    if (items[i].revents & ZMQ_POLLIN) ready.listeners.push_back(i);
  }
  if (waker_ != nullptr && (items.back().revents & ZMQ_POLLIN)) {
    waker_->Drain();
    ready.woken = true;
  }
  return ready;
}

}  // namespace strata::protocol
