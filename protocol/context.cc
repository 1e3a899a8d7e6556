#include "protocol/context.h"

#include <zmq.h>

#include <cerrno>
#include <cstring>

#include "common/logging.h"

namespace strata::protocol {

Context::Context() : handle_(zmq_ctx_new()) {
  if (handle_ == nullptr) {
    LOG(ERROR) << "cannot create the ZeroMQ context: " << zmq_strerror(errno)
               << "; every socket made from it will fail";
  }
}

Context::~Context() {
  if (handle_ == nullptr) return;
  while (zmq_ctx_term(handle_) != 0 && errno == EINTR) {
  }
}

}  // namespace strata::protocol
